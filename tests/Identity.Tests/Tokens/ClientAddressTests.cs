using System.Net;
using Microsoft.AspNetCore.Http;
using Stampede.Identity.Http;

namespace Stampede.Identity.Tests.Tokens;

public sealed class ClientAddressTests
{
    private static string AddressOf(string remote, string? forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (forwardedFor is not null) context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return ClientAddress.Of(context);
    }

    [Fact]
    public void Behind_a_loopback_proxy_the_first_forwarded_address_counts() =>
        AddressOf("127.0.0.1", "198.51.100.7, 10.0.0.2").ShouldBe("198.51.100.7");

    [Fact]
    public void Forwarded_for_is_ignored_from_a_remote_peer() =>
        AddressOf("198.51.100.99", "127.0.0.1").ShouldBe("198.51.100.99");

    [Fact]
    public void A_malformed_forwarded_for_falls_back_to_the_connection() =>
        AddressOf("::1", "not-an-ip").ShouldBe("::1");

    [Fact]
    public void IPv4_mapped_addresses_count_as_IPv4() =>
        AddressOf("::ffff:198.51.100.5", null).ShouldBe("198.51.100.5");
}
