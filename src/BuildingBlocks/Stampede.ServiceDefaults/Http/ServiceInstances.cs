namespace Stampede.ServiceDefaults.Http;

/// <summary>The base URLs of one peer's instances (a comma-separated setting such as
/// <c>Services:catalog=http://127.0.0.1:5102,http://127.0.0.1:6102</c>) and the round-robin over them.</summary>
public sealed class ServiceInstances
{
    private int next = -1;

    private ServiceInstances(IReadOnlyList<Uri> addresses) => Addresses = addresses;

    /// <summary>Each ends with '/', so a relative request path is appended to it.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The instance a new call starts with: each in turn.</summary>
    public int NextIndex() => (int)((uint)Interlocked.Increment(ref next) % (uint)Addresses.Count);

    /// <summary>Reads the list, or says what is wrong with it, naming the setting.</summary>
    public static ServiceInstances Parse(string setting, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException($"{setting} is not set: give one or more http(s) base URLs separated by commas, e.g. http://127.0.0.1:5102.");
        var addresses = new List<Uri>();
        foreach (var part in value.Split(','))
        {
            var text = part.Trim();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.Query.Length > 0 || uri.Fragment.Length > 0)
                throw new InvalidOperationException(
                    $"{setting} holds '{text}', which is not an absolute http(s) base URL (without query or fragment); give one or more separated by commas.");
            addresses.Add(text.EndsWith('/') ? uri : new Uri(text + "/"));
        }

        return new ServiceInstances(addresses);
    }
}
