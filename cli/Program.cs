using System.Runtime.InteropServices;
using Deploy.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

return await new CliApp(Console.Out, Console.Error, Environment.GetEnvironmentVariable, cancel.Token).RunAsync(args);
