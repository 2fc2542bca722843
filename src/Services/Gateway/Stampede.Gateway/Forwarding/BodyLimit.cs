using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Gateway.Forwarding;

/// <summary>The gateway's own body limit (<c>Limits:MaxRequestBodyBytes</c>), enforced as the body
/// streams through, so that an oversized body gets a 413 problem detail — and, where it is small
/// enough, is read to its end first, so the caller sees the answer instead of a reset.</summary>
public sealed class BodyLimit(IConfiguration configuration)
{
    /// <summary>How much of an oversized body the gateway reads and throws away before it answers 413.</summary>
    private const long MaxDiscardBytes = 16 * 1024 * 1024;

    private readonly long maxBytes = configuration.GetValue("Limits:MaxRequestBodyBytes", RequestLimits.DefaultMaxBodyBytes);

    /// <summary>Moves the server's limit beyond the gateway's, so an oversized body can still be
    /// read and thrown away, and puts the gateway's limit on the body YARP streams downstream.</summary>
    public void TakeOver(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
            serverLimit.MaxRequestBodySize = maxBytes + MaxDiscardBytes;
        context.Request.Body = new LimitedReadStream(context.Request.Body, maxBytes);
    }

    public bool AnnouncesTooLargeBody(HttpContext context) => context.Request.ContentLength > maxBytes;

    /// <summary>Throws away an announced oversized body nothing has read; false when the connection
    /// cannot be reused (too large, or the caller waits for 100-continue and reading would invite it).</summary>
    public Task<bool> TryDiscardAnnouncedBodyAsync(HttpContext context) =>
        context.Request.Headers.Expect.Count > 0 || context.Request.ContentLength > maxBytes + MaxDiscardBytes
            ? Task.FromResult(false)
            : TryDiscardRestAsync(context);

    /// <summary>Reads the rest of the body (for at most 5 s) and throws it away; false when it could
    /// not be read to its end, so the connection must close.</summary>
    public static async Task<bool> TryDiscardRestAsync(HttpContext context)
    {
        var body = context.Request.Body is LimitedReadStream limited ? limited.Inner : context.Request.Body;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (await body.ReadAsync(buffer, deadline.Token) > 0) { }
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

    public static bool IsTooLarge(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        return false;
    }

    /// <summary>The caller's body, cut off with a 413 once it passes the limit — also when it is
    /// chunked and announced no length.</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long read;

        public Stream Inner => inner;
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
