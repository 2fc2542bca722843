using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Stampede.ServiceDefaults;

namespace Stampede.ServiceDefaults.Tests;

/// <summary>A minimal service built with the defaults, on an in-memory server.</summary>
internal static class TestApp
{
    public record Order(string Sku, int Quantity);

    public static async Task<WebApplication> StartAsync(Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null, bool kestrel = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        if (kestrel) builder.WebHost.UseUrls("http://127.0.0.1:0");
        else builder.WebHost.UseTestServer();
        builder.Configuration["Limits:MaxRequestBodyBytes"] = "4096";
        builder.AddServiceDefaults("test");
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapServiceDefaults();
        app.MapPost("/orders", (Order order) => TypedResults.Ok(order));
        app.MapGet("/boom", string () => throw new InvalidOperationException("SELECT secret FROM users"));
        app.MapGet("/items/{id:int}", (int id, int page) => TypedResults.Ok(new { id, page }));
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>A client over real HTTP, for what only the real server enforces (body limits).</summary>
    public static HttpClient KestrelClient(WebApplication app) =>
        new() { BaseAddress = new Uri(app.Urls.First()) };
}
