using System.Text.RegularExpressions;

namespace Stampede.Cli.Testing;

public sealed record TestProject(string Name, string AssemblyName);

/// <summary>The test projects of the solution: those referencing the test SDK.</summary>
public static partial class TestProjects
{
    public static IReadOnlyList<TestProject> InSolution()
    {
        var projects = new List<TestProject>();
        foreach (Match match in ProjectEntry().Matches(File.ReadAllText(Repository.Solution)))
        {
            var path = Path.Combine(Repository.Root, match.Groups[1].Value.Replace('\\', '/'));
            if (!File.Exists(path))
            {
                continue;
            }

            var text = File.ReadAllText(path);
            if (!text.Contains("Microsoft.NET.Test.Sdk", StringComparison.Ordinal) && !text.Contains("<IsTestProject>true</IsTestProject>", StringComparison.Ordinal))
            {
                continue;
            }

            var declared = AssemblyNameElement().Match(text);
            var name = Path.GetFileNameWithoutExtension(path);
            projects.Add(new TestProject(name, declared.Success ? declared.Groups[1].Value.Trim() : name));
        }

        return projects;
    }

    [GeneratedRegex("\"([^\"]+\\.csproj)\"")]
    private static partial Regex ProjectEntry();

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyNameElement();
}
