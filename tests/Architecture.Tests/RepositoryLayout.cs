using System.Xml.Linq;

namespace Stampede.Architecture.Tests;

/// <summary>The project files of the repository, read from disk so the rules hold for projects
/// added later without touching these tests.</summary>
internal static class RepositoryLayout
{
    public static readonly string Root = FindRoot();

    public static IEnumerable<string> ProjectsUnder(string relativeFolder) =>
        Directory.Exists(Path.Combine(Root, relativeFolder))
            ? Directory.EnumerateFiles(Path.Combine(Root, relativeFolder), "*.csproj", SearchOption.AllDirectories)
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            : [];

    /// <summary>Repository-relative paths (forward slashes) of the projects a project references.</summary>
    public static IReadOnlyList<string> ProjectReferences(string projectPath) =>
        XDocument.Load(projectPath).Descendants("ProjectReference")
            .Select(e => Relative(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(projectPath)!, e.Attribute("Include")!.Value.Replace('\\', '/')))))
            .ToList();

    public static IReadOnlyList<string> PackageReferences(string projectPath) =>
        XDocument.Load(projectPath).Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Stampede.sln"))) return dir.FullName;
        throw new InvalidOperationException("Stampede.sln not found above " + AppContext.BaseDirectory);
    }
}
