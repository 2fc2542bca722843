using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

/// <summary>As root, each server runs as its Debian system user, which must own its folders and reach them.</summary>
public static class SystemUser
{
    public static async Task GiveFolderAsync(string folder, string user, CancellationToken ct)
    {
        ServerData.Prepare(folder);
        if (!ProcessTable.IsRoot)
        {
            return;
        }

        var result = await CommandLine.RunAsync("chown", ["-R", $"{user}:{user}", folder], ct);
        if (!result.Succeeded)
        {
            throw new UserFacingException($"Could not give {folder} to the {user} user.", result.Output);
        }
    }
}
