using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stampede.ServiceDefaults.Tests.Http;

/// <summary>How a <see cref="PeerInstance"/> treats the requests it receives.</summary>
public enum PeerBehaviour
{
    Answer,
    ServerError,
    /// <summary>Reads the request, counts it, then drops the connection without an answer.</summary>
    DropAfterReading,
    /// <summary>Answers only after 5 s.</summary>
    Hang,
    /// <summary>Sends the status, the headers and the first letter of its name at once, the rest after 5 s.</summary>
    StallBody,
}

/// <summary>One instance of a peer on real Kestrel (a free local port): answers GET and POST /work
/// with its own name, counting what reached it.</summary>
public sealed class PeerInstance : IAsyncDisposable
{
    private readonly WebApplication app;
    private int received;

    private PeerInstance(WebApplication app, string name)
    {
        this.app = app;
        Name = name;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    public volatile PeerBehaviour Behaviour = PeerBehaviour.Answer;

    public int Received => Volatile.Read(ref received);

    public static async Task<PeerInstance> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var peer = new PeerInstance(builder.Build(), name);
        peer.app.Map("/work", (Delegate)peer.HandleAsync);
        await peer.app.StartAsync();
        peer.Address = new Uri(peer.app.Urls.First());
        return peer;
    }

    /// <summary>Stops listening: connections to its port are refused from now on.</summary>
    public Task StopAsync() => app.StopAsync();

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        using var body = new StreamReader(http.Request.Body);
        await body.ReadToEndAsync(http.RequestAborted);
        Interlocked.Increment(ref received);
        switch (Behaviour)
        {
            case PeerBehaviour.ServerError:
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            case PeerBehaviour.DropAfterReading:
                http.Abort();
                return Results.Empty;
            case PeerBehaviour.Hang:
                await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted);
                break;
            case PeerBehaviour.StallBody:
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync(Name[..1], http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted);
                await http.Response.WriteAsync(Name[1..], http.RequestAborted);
                return Results.Empty;
        }

        return Results.Text(Name);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
