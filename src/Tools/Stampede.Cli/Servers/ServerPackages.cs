using Spectre.Console;
using Stampede.Cli.Terminal;
using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

/// <summary>The Debian packages the private servers come from; installed on demand when we are root.</summary>
public static class ServerPackages
{
    public static readonly IReadOnlyList<string> Required = ["postgresql", "postgresql-contrib", "redis-server", "rabbitmq-server"];

    private static readonly Dictionary<string, string> Apt = new()
    {
        ["DEBIAN_FRONTEND"] = "noninteractive",
    };

    public static async Task<IReadOnlyList<string>> MissingAsync(CancellationToken ct)
    {
        var result = await CommandLine.RunAsync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\n", .. Required], ct);
        var installed = result.Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 2 && parts[1] == "installed")
            .Select(parts => parts[0])
            .ToHashSet();
        return Required.Where(p => !installed.Contains(p)).ToList();
    }

    public static async Task EnsureInstalledAsync(CancellationToken ct)
    {
        var missing = await MissingAsync(ct);
        if (missing.Count == 0)
        {
            return;
        }

        var list = string.Join(' ', missing);
        if (!ProcessTable.IsRoot)
        {
            throw new UserFacingException(
                $"Missing server packages: {list}. Install them with: sudo apt-get install -y {list}");
        }

        await Busy.RunAsync($"Installing {list} (apt-get)", async () =>
        {
            var update = await CommandLine.RunAsync("apt-get", ["update"], ct, environment: Apt);
            if (!update.Succeeded)
            {
                throw new UserFacingException("apt-get update failed.", Tail(update.Output));
            }

            var install = await CommandLine.RunAsync("apt-get", ["install", "-y", .. missing], ct, environment: Apt);
            if (!install.Succeeded)
            {
                throw new UserFacingException($"apt-get install {list} failed.", Tail(install.Output));
            }
        });
        AnsiConsole.MarkupLine($"[green]Installed[/] {Markup.Escape(list)}");
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(30));
}
