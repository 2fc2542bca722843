using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Stampede.Gateway.Forwarding;

/// <summary>What YARP's default transforms do not do for us: the path after <c>/api/{name}</c>,
/// <c>X-Forwarded-Prefix</c> as the caller spelled it, headers named in <c>Connection</c>, the
/// translation of <c>Location</c> to the public path, and headers the gateway owns.</summary>
public static class GatewayTransforms
{
    public static void Apply(TransformBuilderContext builder)
    {
        // The gateway is the edge: what a caller claims about forwarding is replaced, never trusted.
        builder.UseDefaultForwarders = false;
        builder.AddXForwardedFor(action: ForwardedTransformActions.Set);
        builder.AddXForwardedProto(action: ForwardedTransformActions.Set);
        builder.AddXForwardedHost(action: ForwardedTransformActions.Set);
        builder.AddRequestTransform(TransformRequest);
        builder.AddResponseTransform(TransformResponse);
    }

    private static ValueTask TransformRequest(RequestTransformContext context)
    {
        var request = context.HttpContext.Request;
        var service = context.HttpContext.GetReverseProxyFeature().Route.Config.RouteId;
        request.Path.StartsWithSegments("/api/" + service, StringComparison.OrdinalIgnoreCase, out var matchedPrefix, out var rest);
        // Built here rather than by YARP, which escapes the '%' of an encoded slash (a%2Fb) a second time.
        context.ProxyRequest.RequestUri = new Uri(context.DestinationPrefix.TrimEnd('/') + rest.ToUriComponent() + request.QueryString.ToUriComponent());
        var headers = context.ProxyRequest.Headers;
        headers.Remove("X-Forwarded-Prefix");
        headers.TryAddWithoutValidation("X-Forwarded-Prefix", matchedPrefix.Value);
        headers.Remove("Forwarded");
        foreach (var name in request.Headers.Keys)
            if (name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || IsNamedIn(request.Headers.Connection, name))
                if (!headers.Remove(name)) context.ProxyRequest.Content?.Headers.Remove(name);
        return ValueTask.CompletedTask;
    }

    private static ValueTask TransformResponse(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { } proxied) return ValueTask.CompletedTask;
        var response = context.HttpContext.Response;
        foreach (var (name, values) in proxied.Headers)
        {
            // YARP appends the service's values to what the gateway set: CORS answers belong to the
            // gateway's policy, anything else the gateway set (request id, nosniff) is the service's.
            var count = values.Count();
            var all = response.Headers[name];
            if (all.Count < count) continue;
            var gatewayOwn = all.Take(all.Count - count).ToArray();
            if (name.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase))
                response.Headers[name] = new StringValues(gatewayOwn);
            else if (gatewayOwn.Length > 0)
                response.Headers[name] = new StringValues(all.Skip(all.Count - count).ToArray());
        }
        foreach (var name in proxied.Headers.Connection) response.Headers.Remove(name);
        if (proxied.Headers.Location is { } location)
            response.Headers.Location = PublicLocation(location, context.HttpContext);
        return ValueTask.CompletedTask;
    }

    private static bool IsNamedIn(StringValues connection, string name) =>
        connection.Any(value => value!.Split(',', StringSplitOptions.TrimEntries).Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>A service-relative or service-absolute <c>Location</c>, in the gateway's public form.</summary>
    private static string PublicLocation(Uri location, HttpContext context)
    {
        var request = context.Request;
        var feature = context.GetReverseProxyFeature();
        request.Path.StartsWithSegments("/api/" + feature.Route.Config.RouteId, StringComparison.OrdinalIgnoreCase, out var prefix, out _);
        if (!location.IsAbsoluteUri)
        {
            var text = location.OriginalString;
            return text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal)
                && !new PathString(text.Split('?')[0]).StartsWithSegments(prefix)
                ? prefix.Value + text
                : text;
        }
        if (feature.ProxiedDestination?.Model.Config.Address is not { } address || !Uri.TryCreate(address, UriKind.Absolute, out var serviceBase)
            || Uri.Compare(location, serviceBase, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            return location.OriginalString;
        var basePath = serviceBase.AbsolutePath.TrimEnd('/');
        var path = location.PathAndQuery.StartsWith(basePath, StringComparison.Ordinal) ? location.PathAndQuery[basePath.Length..] : location.PathAndQuery;
        return $"{request.Scheme}://{request.Host}{prefix}{path}{location.Fragment}";
    }
}
