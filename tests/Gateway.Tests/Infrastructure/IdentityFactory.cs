using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Stampede.Identity;
using Stampede.Testing;

namespace Stampede.Gateway.Tests.Infrastructure;

/// <summary>The real identity service on a real Kestrel port with a fresh database, so the gateway
/// fetches its JWKS and forwards to it over HTTP as in production.</summary>
public sealed class IdentityFactory : WebApplicationFactory<IdentityService>
{
    public const string AdminEmail = "admin@stampede.test";
    public const string AdminPassword = "correct horse battery staple";

    private readonly string database = TestServers.NewDatabase("gwidentity");

    public IdentityFactory()
    {
        // Kestrel on a free loopback port; the port comes from the urls setting rather than UseKestrel(0),
        // whose port assignment can race the server start on a loaded machine.
        UseKestrel();
    }

    public Uri Address
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new Uri(address.Replace("localhost", "127.0.0.1"));
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.UseSetting("ConnectionStrings:Postgres", database);
        builder.UseSetting("ConnectionStrings:RabbitMQ", TestServers.RabbitMq);
        builder.UseSetting("ConnectionStrings:Redis", TestServers.Redis);
        builder.UseSetting("Identity:Admin:Email", AdminEmail);
        builder.UseSetting("Identity:Admin:Password", AdminPassword);
    }
}
