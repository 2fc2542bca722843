using Microsoft.AspNetCore.Authentication;
using Yarp.ReverseProxy.Model;

namespace Stampede.Gateway.Edge;

/// <summary>The routes anyone may call without a token (section <c>Gateway:AnonymousRoutes</c>):
/// entries like <c>"POST /api/identity/tokens"</c>, where <c>*</c> stands for one path segment,
/// a trailing <c>**</c> for the rest of the path, and a method of <c>*</c> for any method.</summary>
public sealed class AnonymousRoutes
{
    public const string Section = "Gateway:AnonymousRoutes";

    public static readonly IReadOnlyList<string> Defaults =
    [
        "POST /api/identity/users",
        "POST /api/identity/users/verification",
        "POST /api/identity/users/verification/resend",
        "POST /api/identity/tokens",
        "POST /api/identity/tokens/refresh",
        "POST /api/identity/tokens/revoke",
        "GET /api/identity/.well-known/jwks.json",
        "GET /api/catalog/**",
        "HEAD /api/catalog/**",
        // The buyer's browser comes back from the PG without a token; payment checks the amount
        // with the PG before anything is captured.
        "GET /api/payment/payments/return/**",
    ];

    private readonly List<(string Method, string[] Segments)> routes;

    public AnonymousRoutes(IEnumerable<string> entries) => routes = entries.Select(Parse).ToList();

    public static AnonymousRoutes From(IConfiguration configuration)
    {
        var configured = configuration.GetSection(Section).Get<string[]>();
        return new AnonymousRoutes(configured is { Length: > 0 } ? configured : Defaults);
    }

    public bool Allows(string method, PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return routes.Any(route =>
            (route.Method == "*" || route.Method.Equals(method, StringComparison.OrdinalIgnoreCase)) && Matches(route.Segments, segments));
    }

    private static bool Matches(string[] pattern, string[] segments)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == "**") return true;
            if (i >= segments.Length) return false;
            if (pattern[i] != "*" && !pattern[i].Equals(segments[i], StringComparison.OrdinalIgnoreCase)) return false;
        }
        return pattern.Length == segments.Length;
    }

    private static (string, string[]) Parse(string entry)
    {
        var parts = entry.Split(' ', 2, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !parts[1].StartsWith('/'))
            throw new InvalidOperationException($"{Section}: '{entry}' is not 'METHOD /path/pattern'.");
        var segments = parts[1].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (Array.IndexOf(segments, "**") is var rest and >= 0 && rest != segments.Length - 1)
            throw new InvalidOperationException($"{Section}: '{entry}' may use ** only as the last segment.");
        return (parts[0].ToUpperInvariant(), segments);
    }
}

/// <summary>The token check at the edge: a forwarded request needs a valid access token unless its
/// route is anonymous, and is refused with 401 before any service is called. The token itself
/// travels on unchanged and the service checks it again. On an anonymous route an invalid token
/// is not refused here: the service decides (a refresh with an expired access token attached must
/// still work).</summary>
public sealed class EdgeAuthentication(RequestDelegate next, AnonymousRoutes anonymous)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // An unknown service is a 404 for everyone; no token can make it exist.
        var forwarded = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not null;
        if (!forwarded || context.User.Identity?.IsAuthenticated == true || anonymous.Allows(context.Request.Method, context.Request.Path))
        {
            await next(context);
            return;
        }
        // The bearer handler's challenge writes the 401 problem detail (missing, invalid or expired).
        await context.ChallengeAsync();
    }
}
