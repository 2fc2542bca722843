using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Stampede.Cli.Testing;

/// <summary>What one TRX file says: which test assembly, and how many passed, failed and were skipped.</summary>
public sealed record TrxResult(string? AssemblyName, int Passed, int Failed, int Skipped, bool RunFailed, string File)
{
    public int Total => Passed + Failed + Skipped;
}

public static partial class TrxReport
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static IReadOnlyList<TrxResult> ReadAll(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.trx", SearchOption.AllDirectories).Select(Read).ToList()
            : [];

    public static TrxResult Read(string file)
    {
        var document = XDocument.Load(file);
        var summary = document.Root?.Element(Ns + "ResultSummary");
        var counters = summary?.Element(Ns + "Counters");
        int Count(string name) => int.TryParse(counters?.Attribute(name)?.Value, out var value) ? value : 0;

        var total = Count("total");
        var passed = Count("passed");
        var failed = Count("failed") + Count("error") + Count("timeout") + Count("aborted");
        // xunit's skipped tests are counted in `total` but in no other counter.
        var skipped = Math.Max(0, total - passed - failed);
        var outcome = summary?.Attribute("outcome")?.Value ?? "";
        var runFailed = outcome is "Failed" or "Error" or "Aborted" or "Timeout";
        return new TrxResult(AssemblyOf(document), passed, failed, skipped, runFailed, file);
    }

    private static string? AssemblyOf(XDocument document)
    {
        var codeBase = document.Descendants(Ns + "TestMethod").Select(m => m.Attribute("codeBase")?.Value).FirstOrDefault(c => c is not null);
        if (codeBase is not null)
        {
            return Path.GetFileNameWithoutExtension(codeBase);
        }

        // A project without tests has no definitions; xunit still names the assembly in its output.
        var output = string.Concat(document.Descendants(Ns + "StdOut").Select(e => e.Value));
        var discovering = Discovering().Match(output);
        return discovering.Success ? discovering.Groups[1].Value : null;
    }

    [GeneratedRegex(@"Discovering:\s+(\S+)")]
    private static partial Regex Discovering();
}
