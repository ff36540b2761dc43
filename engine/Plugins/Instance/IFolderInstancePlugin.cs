namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// An optional ability of instance plugins that keep their instances in a folder chosen per command (instance-file's
/// <c>--file-dir</c>). A committed group remembers the folder it was created in, so a later command run with another
/// folder still finds, heals and destroys the group's instances where they are.
/// </summary>
public interface IFolderInstancePlugin
{
    /// <summary>The folder this plugin reads and writes, absolute.</summary>
    string Directory { get; }

    /// <summary>The same plugin working in <paramref name="directory"/>. Pure: calling it twice gives two equal plugins.</summary>
    IInstancePlugin InFolder(string directory);
}
