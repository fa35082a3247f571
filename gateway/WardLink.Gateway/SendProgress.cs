using Microsoft.AspNetCore.Http.Features;

namespace WardLink.Gateway;

/// <summary>
/// An answer that must keep moving: it is written at most <see cref="ChunkBytes"/> at a time, and each piece must be taken by
/// the caller within the send timeout (<c>RateLimits:SendTimeout</c>), else the connection is closed. A caller reading
/// slowly but steadily gets its answer whatever its length; one that stops reading is cut, and its request, with the turn it
/// holds, ends (nginx's <c>send_timeout</c>). Kestrel's own minimum response rate cannot do this: it gives a write as long
/// as its length takes at that rate, and counts the writes the socket's buffers took at once, so an unread 4.9 MB answer
/// was given hours.
/// </summary>
public static partial class SendProgress
{
    /// <summary>The most one write hands the connection at once.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Runs <paramref name="next"/> with <paramref name="http"/>'s answer bound to keep moving. An answer cut ends its request
    /// (the connection is closed: nothing more can be sent), whatever the middleware after this made of the failed write.
    /// </summary>
    public static async Task RunAsync(HttpContext http, TimeSpan timeout, RequestDelegate next, ILogger logger)
    {
        var prior = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var body = new BodyStream(prior.Stream, timeout, http, logger);
        var feature = new StreamResponseBodyFeature(body, prior);
        http.Features.Set<IHttpResponseBodyFeature>(feature);
        try
        {
            await next(http);
            await feature.CompleteAsync();
        }
        catch (Exception) when (body.Cut)
        {
            // Logged where it was cut; whatever the middleware after this made of the failed write, the request is over.
        }
        finally
        {
            http.Features.Set(prior);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "An answer was cut: its caller took none of its next {Bytes} bytes in {Timeout}.")]
    private static partial void LogCut(ILogger logger, int bytes, TimeSpan timeout);

    private sealed class BodyStream(Stream inner, TimeSpan timeout, HttpContext http, ILogger logger) : Stream
    {
        /// <summary>Whether the answer was cut: a piece of it was not taken within the send timeout.</summary>
        public bool Cut { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var offset = 0; offset < buffer.Length; offset += ChunkBytes)
            {
                var piece = buffer.Slice(offset, Math.Min(ChunkBytes, buffer.Length - offset));
                await WithinTimeoutAsync(ct => inner.WriteAsync(piece, ct), cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            WithinTimeoutAsync(ct => new ValueTask(inner.FlushAsync(ct)), cancellationToken).AsTask();

        /// <summary>Runs one write or flush, closing the connection when the caller has not taken it within the send timeout.</summary>
        private async ValueTask WithinTimeoutAsync(Func<CancellationToken, ValueTask> write, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await write(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Cut = true;
                LogCut(logger, ChunkBytes, timeout);
                http.Abort();
                throw;
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Flush() => inner.Flush();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
