using System.Net;
using System.Net.Sockets;

namespace Stampede.ServiceDefaults.Http;

/// <summary>The network a per-client limit counts a caller by.</summary>
public static class ClientNetwork
{
    /// <summary>The IPv4 address (also when it arrives IPv4-mapped), or the /64 of an IPv6 one, as
    /// <c>2001:db8:1:2::/64</c>: one subscriber usually holds a whole /64, so counting single IPv6
    /// addresses would not limit them at all.</summary>
    public static string Of(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
