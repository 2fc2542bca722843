using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Gateway.Tests.Infrastructure;

/// <summary>The real gateway on a real Kestrel port, configured like <c>./stampede up</c> does
/// through settings. Each instance gets its own rate-limit keys unless told to share them, and
/// generous limits unless the test sets its own.</summary>
public sealed class GatewayFactory : WebApplicationFactory<GatewayService>
{
    private readonly Dictionary<string, string?> settings;
    private readonly ISigningKeySource? keys;

    public GatewayFactory(IDictionary<string, string?> settings, ISigningKeySource? keys = null)
    {
        this.settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Redis"] = TestServers.Redis,
            ["Gateway:RateLimits:KeyPrefix"] = $"gateway-tests:{Guid.NewGuid():N}",
            ["Gateway:RateLimits:PerIp:Permits"] = "100000",
            ["Gateway:RateLimits:PerUser:Permits"] = "100000",
            // A loaded test machine can take longer than the production default, which would let requests through.
            ["Gateway:RateLimits:RedisTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings) this.settings[key] = value;
        this.keys = keys;
        // Kestrel on a free loopback port; the port comes from the urls setting rather than UseKestrel(0),
        // whose port assignment can race the server start on a loaded machine.
        UseKestrel();
    }

    /// <summary>A gateway whose edge trusts <see cref="TestSigningKey"/>.</summary>
    public static GatewayFactory WithTestKey(IDictionary<string, string?> settings) => new(settings, TestSigningKey.Instance);

    /// <summary>A plain HTTP client to the gateway's Kestrel port, as a browser or app would call it.</summary>
    public HttpClient CreateGatewayClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public Uri Address
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (keys is not null)
            builder.ConfigureTestServices(services => services.AddSingleton(keys));
    }
}
