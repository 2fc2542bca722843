using System.Text.Json;

namespace Stampede.Cli.Services;

/// <summary>How many instances of each service `up --replicas` runs; recorded so `status` and `down` see them all.</summary>
public sealed record Replicas(IReadOnlyDictionary<string, int> Counts)
{
    public static readonly Replicas One = new(new Dictionary<string, int>());

    public int Of(string service) => Counts.GetValueOrDefault(service, 1);

    /// <summary>`2` (every service that can have several instances) or `ordering=2,inventory=3`.</summary>
    public static Replicas Parse(string? text, IReadOnlyList<ServiceDefinition> catalog)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return One;
        }

        var replicable = catalog.Where(s => s.CanReplicate).Select(s => s.Name).ToList();
        if (int.TryParse(text, out var all))
        {
            return new(replicable.ToDictionary(n => n, _ => Check(all, text)));
        }

        var counts = new Dictionary<string, int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !int.TryParse(pair[1], out var count))
            {
                throw new UserFacingException($"--replicas '{text}': '{part}' is not NAME=COUNT (e.g. ordering=2,inventory=2) or a single COUNT.");
            }

            if (!replicable.Contains(pair[0]))
            {
                throw new UserFacingException($"--replicas: '{pair[0]}' cannot have several instances (those that can: {string.Join(", ", replicable)}).");
            }

            counts[pair[0]] = Check(count, part);
        }

        return new(counts);
    }

    public void Save(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(Counts));
    }

    public static Replicas Load(string file) =>
        File.Exists(file) && JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(file)) is { } counts ? new(counts) : One;

    private static int Check(int count, string text) =>
        count is >= 1 and <= ServiceDefinition.MaxReplicas
            ? count
            : throw new UserFacingException($"--replicas '{text}': a count is between 1 and {ServiceDefinition.MaxReplicas}.");
}
