using System.Security.Cryptography;
using System.Text;

namespace Stampede.Cli.Servers;

/// <summary>
/// Where the servers keep their data and sockets: outside the checkout, under /var/tmp/stampede/&lt;hash of
/// the checkout's path&gt;/, because as root the servers run as the postgres, redis and rabbitmq users, who
/// cannot enter a checkout in a root home or a `mktemp -d` folder (mode 700). The checkout's own
/// .stampede/ keeps what only the CLI reads: logs, pids, ports.
/// </summary>
public static class ServerData
{
    /// <summary>/var/tmp survives reboots (dev data is durable) and every user may write there.</summary>
    public const string Base = "/var/tmp/stampede";

    private const UnixFileMode Traversable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    // Shared by the checkouts of every user of the machine, like /tmp: anyone adds a folder, only its owner removes it.
    private const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit;

    /// <summary>This checkout's folder: the same path always gives the same folder, two checkouts never share one.</summary>
    public static string CheckoutFolder => Path.Combine(Base, Key(Repository.Root));

    public static string Key(string checkout) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(checkout).TrimEnd('/'))))[..16];

    /// <summary>
    /// Creates the folders down to <paramref name="folder"/> (inside <see cref="CheckoutFolder"/>) so that any user
    /// can pass through them whatever the umask, and records which checkout they belong to.
    /// </summary>
    public static void Prepare(string folder)
    {
        CreateWithMode(Base, Shared);
        CreateWithMode(CheckoutFolder, Traversable);
        var marker = Path.Combine(CheckoutFolder, "checkout");
        if (!File.Exists(marker))
        {
            // Tells a human whose data this is when the checkout itself is gone.
            File.WriteAllText(marker, Repository.Root + "\n");
        }

        var relative = Path.GetRelativePath(CheckoutFolder, folder);
        var current = CheckoutFolder;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            CreateWithMode(current, Traversable);
        }
    }

    /// <summary>Deletes one instance's data, and this checkout's folder once nothing else is left in it.</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        if (Directory.Exists(CheckoutFolder) &&
            Directory.EnumerateFileSystemEntries(CheckoutFolder).All(e => Path.GetFileName(e) == "checkout"))
        {
            Directory.Delete(CheckoutFolder, recursive: true);
        }
    }

    private static void CreateWithMode(string folder, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, mode);
        }

        // CreateDirectory's mode passes through the umask, and a folder made earlier may be stricter.
        if (File.GetUnixFileMode(folder) != mode)
        {
            try
            {
                File.SetUnixFileMode(folder, mode);
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's folder (e.g. the shared base made by them): its mode is theirs to choose.
            }
        }
    }
}
