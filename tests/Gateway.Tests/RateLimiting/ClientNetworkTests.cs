using System.Net;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Gateway.Tests.RateLimiting;

/// <summary>What the per-IP limit counts a caller by: an IPv4 address, or an IPv6 /64.</summary>
public sealed class ClientNetworkTests
{
    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:eeee:dddd:cccc", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void A_caller_counts_by_its_IPv4_address_or_its_IPv6_slash_64(string address, string network) =>
        ClientNetwork.Of(IPAddress.Parse(address)).ShouldBe(network);

    [Fact]
    public void A_connection_without_an_address_counts_as_unknown() => ClientNetwork.Of(null).ShouldBe("unknown");
}
