using System.Net;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Identity.Http;

/// <summary>The caller's IP address as login throttling counts it.</summary>
public static class ClientAddress
{
    /// <summary>The connection's remote address; when that is loopback (the gateway on the same
    /// host), the first <c>X-Forwarded-For</c> entry instead. A remote caller cannot choose its
    /// address by sending the header, because only loopback peers are believed.</summary>
    public static string Of(HttpContext context) => Canonical(AddressOf(context));

    /// <summary>The caller's network as sign-up throttling counts it: the IPv4 address, or the /64 of
    /// an IPv6 one (one subscriber usually holds a whole /64, so counting single addresses would not limit them).</summary>
    public static string NetworkOf(HttpContext context) => ClientNetwork.Of(AddressOf(context));

    private static IPAddress? AddressOf(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && IPAddress.IsLoopback(remote)
            && context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded
            && IPAddress.TryParse(forwarded.Split(',')[0].Trim(), out var client))
        {
            return client;
        }
        return remote;
    }

    private static string Canonical(IPAddress? address) =>
        address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
