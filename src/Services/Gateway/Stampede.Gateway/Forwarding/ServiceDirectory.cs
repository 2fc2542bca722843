using System.Diagnostics.CodeAnalysis;

namespace Stampede.Gateway.Forwarding;

/// <summary>The services behind the gateway: <c>Gateway:Services:{name}</c> holds one or more
/// absolute http(s) base URLs separated by commas, each one destination of the service's cluster,
/// e.g. <c>Gateway__Services__ordering=http://127.0.0.1:5104,http://127.0.0.1:6104</c>.</summary>
public sealed class ServiceDirectory
{
    public const string Section = "Gateway:Services";
    private readonly Dictionary<string, IReadOnlyList<Uri>> services;

    public ServiceDirectory(IEnumerable<KeyValuePair<string, IReadOnlyList<Uri>>> services) =>
        this.services = new Dictionary<string, IReadOnlyList<Uri>>(services, StringComparer.OrdinalIgnoreCase);

    /// <summary>Each service with its destinations, in the configured order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Uri>> All => services;

    public static ServiceDirectory From(IConfiguration configuration) =>
        new(configuration.GetSection(Section).GetChildren()
            .Where(child => !string.IsNullOrWhiteSpace(child.Value))
            .Select(child => KeyValuePair.Create(child.Key, Parse(child.Key, child.Value!))));

    public bool TryGet(string service, [NotNullWhen(true)] out IReadOnlyList<Uri>? destinations) =>
        services.TryGetValue(service, out destinations);

    private static IReadOnlyList<Uri> Parse(string service, string value)
    {
        var destinations = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new InvalidOperationException($"{Section}:{service} must be absolute http(s) URLs separated by commas; '{url}' is not one."))
            .ToList();
        return destinations.Count > 0
            ? destinations
            : throw new InvalidOperationException($"{Section}:{service} names no URL.");
    }
}
