using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Gateway.Forwarding;

/// <summary>Where one request goes: the downstream URL, and the public prefix the service is
/// reached under (<c>/api/identity</c>), used to translate <c>Location</c> headers back.</summary>
public sealed record ForwardTarget(Uri Destination, Uri ServiceBase, PathString PublicPrefix);

/// <summary>A streaming HTTP/1.1 reverse proxy on one pooled <see cref="HttpClient"/>: the request
/// line, headers and body go downstream as they arrive, the response comes back the same way.
/// Nothing is buffered, so a 50 MB download costs the gateway one 80 KB buffer.</summary>
public sealed class HttpForwarder : IDisposable
{
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
    };

    // The gateway is the edge: what a caller claims about forwarding is replaced, never trusted.
    private static readonly HashSet<string> ReplacedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Expect", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
        "Forwarded", RequestIdMiddleware.HeaderName,
    };

    // HttpClient's diagnostics write these from the gateway's own request activity (a child of the
    // caller's trace), so the caller's copies must not reach the service.
    private static readonly HashSet<string> TraceHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "traceparent", "tracestate", "Request-Id", "baggage", "Correlation-Context",
    };

    private readonly HttpClient client;
    private readonly long maxRequestBodyBytes;

    public HttpForwarder(IConfiguration configuration)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = configuration.GetValue("Gateway:ConnectTimeout", TimeSpan.FromSeconds(2)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            EnableMultipleHttp2Connections = true,
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        maxRequestBodyBytes = configuration.GetValue("Limits:MaxRequestBodyBytes", RequestLimits.DefaultMaxBodyBytes);
    }

    /// <summary>How much of an oversized body the gateway reads and throws away before it answers
    /// 413. A client still sending when the server closes the connection gets a reset and often
    /// never sees the 413; once its body is read it sees the answer and may reuse the connection.</summary>
    private const long MaxDiscardBytes = 16 * 1024 * 1024;

    /// <summary>The gateway enforces the body limit itself, as the body streams through; the server's
    /// own limit is moved beyond it so that an oversized body can still be read to its end and
    /// thrown away. Call before anything reads the body.</summary>
    public void TakeOverBodyLimit(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
            serverLimit.MaxRequestBodySize = maxRequestBodyBytes + MaxDiscardBytes;
    }

    /// <summary>A body that announces it is too large is refused before anything goes downstream.</summary>
    public bool AnnouncesTooLargeBody(HttpContext context) => context.Request.ContentLength > maxRequestBodyBytes;

    /// <summary>Throws away an announced oversized body that nothing has read yet; false when the
    /// connection cannot be reused (too large to read, or the caller waits for 100-continue and
    /// reading would invite the body).</summary>
    public Task<bool> TryDiscardAnnouncedBodyAsync(HttpContext context) =>
        context.Request.Headers.Expect.Count > 0 || context.Request.ContentLength > maxRequestBodyBytes + MaxDiscardBytes
            ? Task.FromResult(false)
            : TryDiscardRestOfBodyAsync(context);

    /// <summary>Reads the rest of the caller's body (for at most 5 s) and throws it away; false when
    /// it could not be read to its end, so the connection must close.</summary>
    public async Task<bool> TryDiscardRestOfBodyAsync(HttpContext context)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (await context.Request.Body.ReadAsync(buffer, deadline.Token) > 0) { }
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A fresh downstream request for the incoming one; a new one per attempt, because a
    /// request message can be sent only once.</summary>
    public HttpRequestMessage CreateRequest(HttpContext context, ForwardTarget target)
    {
        var incoming = context.Request;
        var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), target.Destination)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (HasBody(context))
            outgoing.Content = new StreamContent(new LimitedReadStream(incoming.Body, maxRequestBodyBytes), 81920);

        var connectionTokens = ConnectionTokens(incoming.Headers.Connection);
        var dropTraceHeaders = System.Diagnostics.Activity.Current is not null;
        foreach (var (name, values) in incoming.Headers)
        {
            if (IsHopByHop(name, connectionTokens) || ReplacedRequestHeaders.Contains(name)) continue;
            if (dropTraceHeaders && TraceHeaders.Contains(name)) continue;
            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        var remoteIp = context.Connection.RemoteIpAddress;
        if (remoteIp is not null)
            outgoing.Headers.TryAddWithoutValidation("X-Forwarded-For", (remoteIp.IsIPv4MappedToIPv6 ? remoteIp.MapToIPv4() : remoteIp).ToString());
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        if (incoming.Host.HasValue) outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", target.PublicPrefix.Value);
        outgoing.Headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, context.TraceIdentifier);
        return outgoing;
    }

    /// <summary>Sends until the response headers arrive; the body is read later, while it is copied.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (FindCallerError(ex) is { } callerError)
        {
            // The caller's body broke the limit mid-stream: that is the caller's 413, not a downstream failure.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(callerError);
            throw;
        }
    }

    /// <summary>Streams the downstream response to the caller: status, headers (minus hop-by-hop
    /// ones), then the body as it arrives. A service-relative <c>Location</c> is translated to the
    /// public path.</summary>
    public async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, ForwardTarget target, CancellationToken cancellationToken)
    {
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        // The service's own error answers pass through as they are, bodiless ones included.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages) statusCodePages.Enabled = false;
        var connectionTokens = ConnectionTokens(response.Headers.Connection);
        CopyResponseHeaders(response.Headers, outgoing.Headers, connectionTokens);
        CopyResponseHeaders(response.Content.Headers, outgoing.Headers, connectionTokens);
        if (response.Headers.Location is { } location)
            outgoing.Headers.Location = PublicLocation(location, context.Request, target);

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(outgoing.Body, 81920, cancellationToken);
    }

    public void Dispose() => client.Dispose();

    private static void CopyResponseHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to, HashSet<string> connectionTokens)
    {
        foreach (var (name, values) in from)
        {
            // CORS answers belong to the gateway's own policy.
            if (IsHopByHop(name, connectionTokens) || name.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)) continue;
            to[name] = new StringValues(values.ToArray());
        }
    }

    private static string PublicLocation(Uri location, HttpRequest request, ForwardTarget target)
    {
        if (!location.IsAbsoluteUri)
        {
            var text = location.OriginalString;
            return text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal)
                && !new PathString(text.Split('?')[0]).StartsWithSegments(target.PublicPrefix)
                ? target.PublicPrefix.Value + text
                : text;
        }
        var serviceBase = target.ServiceBase;
        if (!Uri.Compare(location, serviceBase, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase).Equals(0))
            return location.OriginalString;
        var basePath = serviceBase.AbsolutePath.TrimEnd('/');
        var path = location.PathAndQuery.StartsWith(basePath, StringComparison.Ordinal) ? location.PathAndQuery[basePath.Length..] : location.PathAndQuery;
        return $"{request.Scheme}://{request.Host}{target.PublicPrefix}{path}{location.Fragment}";
    }

    private static bool HasBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection
            ? detection.CanHaveBody
            : context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;

    private static bool IsHopByHop(string name, HashSet<string> connectionTokens) =>
        HopByHopHeaders.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || connectionTokens.Contains(name);

    private static HashSet<string> ConnectionTokens(IEnumerable<string> connectionHeader)
    {
        var tokens = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in connectionHeader)
            foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                tokens.Add(token);
        return tokens;
    }

    private static BadHttpRequestException? FindCallerError(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is BadHttpRequestException bad) return bad;
        return null;
    }

    /// <summary>The caller's body, cut off with a 413 once it passes the gateway's limit — also when
    /// it is chunked and announced no length.</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int bytes)
        {
            read += bytes;
            return read > limit
                ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge)
                : bytes;
        }
    }
}
