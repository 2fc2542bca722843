namespace Stampede.Cli.Processes;

/// <summary>How to start one long-running process and how to ask it to stop.</summary>
public sealed record LaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Dropped to when the CLI runs as root (servers refuse to run as root or must own their files).</summary>
    public string? RunAsUser { get; init; }
}
