namespace Stampede.ServiceDefaults.Http;

/// <summary>Sends each attempt of a call to one instance: a new call to the next in turn, a retry of
/// the same request to the instance after the one that failed it. Sits inside the retry and outside
/// the per-instance breaker, so the breaker it meets is the chosen instance's.</summary>
internal sealed class ServiceInstanceHandler(ServiceInstances instances) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<string> RelativeUri = new("stampede.instances.relative-uri");
    private static readonly HttpRequestOptionsKey<int> InstanceIndex = new("stampede.instances.index");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(RelativeUri, out var relative))
        {
            // The client's base address is the first instance; a URI outside it is left alone.
            var first = instances.Addresses[0].AbsoluteUri;
            var uri = request.RequestUri?.AbsoluteUri;
            if (uri is null || !uri.StartsWith(first, StringComparison.OrdinalIgnoreCase)) return base.SendAsync(request, cancellationToken);
            relative = uri[first.Length..];
            request.Options.Set(RelativeUri, relative);
        }

        var index = request.Options.TryGetValue(InstanceIndex, out var previous)
            ? (previous + 1) % instances.Addresses.Count
            : instances.NextIndex();
        request.Options.Set(InstanceIndex, index);
        request.RequestUri = new Uri(instances.Addresses[index], relative);
        return base.SendAsync(request, cancellationToken);
    }
}
