namespace Stampede.Cli;

/// <summary>The checkout the CLI works on: the folder holding Stampede.sln.</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string StateFolder => Path.Combine(Root, ".stampede");

    public static string Solution => Path.Combine(Root, "Stampede.sln");

    private static string FindRoot()
    {
        // The launcher runs from the root, but an IDE or a test may start us elsewhere.
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Stampede.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find Stampede.sln above the current folder; run ./stampede from the repository.");
    }
}
