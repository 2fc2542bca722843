using System.Net;

namespace Stampede.Identity.Http;

/// <summary>The caller's IP address as login throttling counts it.</summary>
public static class ClientAddress
{
    /// <summary>The connection's remote address; when that is loopback (the gateway on the same
    /// host), the first <c>X-Forwarded-For</c> entry instead. A remote caller cannot choose its
    /// address by sending the header, because only loopback peers are believed.</summary>
    public static string Of(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && IPAddress.IsLoopback(remote)
            && context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded
            && IPAddress.TryParse(forwarded.Split(',')[0].Trim(), out var client))
        {
            return Canonical(client);
        }
        return remote is null ? "unknown" : Canonical(remote);
    }

    private static string Canonical(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
