using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Stampede.Gateway.Tests.Infrastructure;

/// <summary>What the echo endpoint saw: the gateway's request as it arrived downstream.</summary>
public sealed record EchoReply(
    string Method, string Path, string RawTarget, string Query, Dictionary<string, string> Headers, long BodyLength, string BodySha256);

/// <summary>A small real HTTP service on a free loopback port that the gateway forwards to: it
/// echoes requests, streams large bodies, answers slowly or with a chosen status, and counts
/// every call it gets (health probes apart).</summary>
public sealed class Downstream : IAsyncDisposable
{
    private readonly WebApplication app;
    private int calls;
    private int cancelled;
    private int readinessProbes;
    private int disposed;

    private Downstream(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public int Calls => Volatile.Read(ref calls);
    /// <summary>Slow calls that ended because the caller (the gateway) hung up.</summary>
    public int Cancelled => Volatile.Read(ref cancelled);
    public ConcurrentQueue<string> Targets { get; } = new();
    /// <summary>When not 0, every call (health apart) answers this status.</summary>
    public int FailWith { get; set; }
    public bool Ready { get; set; } = true;
    /// <summary>Readiness probes from the gateway's <c>/health/ready</c> (YARP's own probes apart).</summary>
    public int ReadinessProbes => Volatile.Read(ref readinessProbes);
    /// <summary>How long a health probe takes to answer.</summary>
    public TimeSpan ProbeDelay { get; set; }
    /// <summary>When set, every call (health apart) is cut without an answer, as when the process dies mid-request.</summary>
    public bool DropConnections { get; set; }

    public static async Task<Downstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        Downstream? self = null;
        app.Use(async (context, next) =>
        {
            // The gateway probes {base}/health/ready of each destination, also when the base has a path.
            if (context.Request.Path.StartsWithSegments("/health") || context.Request.Path.Value!.EndsWith("/health/ready", StringComparison.Ordinal))
            {
                if (context.Request.Headers.UserAgent.ToString().StartsWith(Stampede.Gateway.Health.DownstreamHealth.UserAgent, StringComparison.Ordinal))
                    Interlocked.Increment(ref self!.readinessProbes);
                if (self!.ProbeDelay > TimeSpan.Zero) await Task.Delay(self.ProbeDelay);
                context.Response.StatusCode = self.Ready ? 200 : 503;
                return;
            }
            Interlocked.Increment(ref self!.calls);
            self.Targets.Enqueue(context.Features.Get<IHttpRequestFeature>()!.RawTarget);
            if (self.DropConnections)
            {
                context.Abort();
                return;
            }
            if (self.FailWith != 0)
            {
                context.Response.StatusCode = self.FailWith;
                return;
            }
            await next(context);
        });
        MapEndpoints(app, () => self!);
        await app.StartAsync();
        self = new Downstream(app, new Uri(app.Urls.Single()));
        return self;
    }

    /// <summary>A loopback port nothing listens on: connecting to it is refused.</summary>
    public static Uri DeadAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    public void ResetCalls() => Interlocked.Exchange(ref calls, 0);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static void MapEndpoints(WebApplication app, Func<Downstream> current)
    {
        app.Map("/echo/{**rest}", async (HttpContext context) =>
        {
            var (length, sha) = await DigestAsync(context.Request.Body, context.RequestAborted);
            var reply = new EchoReply(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Features.Get<IHttpRequestFeature>()!.RawTarget,
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                length,
                sha);
            context.Response.Headers["X-Downstream"] = "echo";
            context.Response.Headers["X-Hop-Secret"] = "do-not-forward";
            context.Response.Headers.Connection = "X-Hop-Secret";
            context.Response.Headers["Set-Cookie"] = "session=abc; Path=/; HttpOnly";
            return Results.Json(reply);
        });

        // Deterministic bytes, streamed in ~64 KB writes without a Content-Length.
        app.MapGet("/bytes/{size:long}", async (long size, HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var chunk = Pattern(251 * 256); // a whole number of periods, so byte i of the body is i mod 251
            for (long sent = 0; sent < size; sent += chunk.Length)
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - sent)), context.RequestAborted);
        });

        app.MapGet("/slow/{milliseconds:int}", async (int milliseconds, CancellationToken cancellationToken) =>
        {
            try
            {
                await Task.Delay(milliseconds, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref current().cancelled);
                throw;
            }
            return Results.Text("finally");
        });

        app.Map("/status/{code:int}", (int code) => Results.StatusCode(code));

        app.MapPost("/things", () => Results.Created("/things/42", new { id = 42 }));
    }

    /// <summary>The byte pattern <c>/bytes</c> serves: byte i is i mod 251.</summary>
    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i % 251);
        return bytes;
    }

    private static async Task<(long Length, string Sha256)> DigestAsync(Stream body, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }
        return (length, Convert.ToHexString(hash.GetHashAndReset()));
    }
}
