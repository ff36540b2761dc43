using System.Net;
using System.Net.Sockets;

namespace Deploy.Engine.Plugins.Instance;

/// <summary>Whether a port is free on this machine, for plugins that pick one from a range.</summary>
public static class LocalPorts
{
    /// <summary>True when a listener can bind <paramref name="address"/>:<paramref name="port"/> now (another process may take it after).</summary>
    public static bool CanBind(IPAddress address, int port)
    {
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
