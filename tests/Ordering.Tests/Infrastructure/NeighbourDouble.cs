using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Stampede.Ordering.Tests.Infrastructure;

/// <summary>A small real HTTP server on a free local port, standing in for a neighbouring service.</summary>
public abstract class NeighbourDouble : IAsyncDisposable
{
    private WebApplication? app;

    public Uri Address { get; private set; } = null!;

    protected async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        Map(app);
        await app.StartAsync();
        Address = new Uri(app.Urls.First());
    }

    protected abstract void Map(WebApplication app);

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
