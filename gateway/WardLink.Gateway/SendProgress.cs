using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Features;
using WardLink.ServiceDefaults;

namespace WardLink.Gateway;

/// <summary>
/// An answer the gateway gives itself (the API page's files, the merged document; not a proxied route's, which its cluster's
/// <c>ActivityTimeout</c> bounds the same way) to a caller bound by a share must keep moving: it is written at most
/// <see cref="ChunkBytes"/> at a time, and each write must be taken within <c>RateLimits:SendTimeout</c>, else the
/// connection is closed, counted in <c>wardlink.gateway.answers_cut</c>. The bound is on each write, not on the whole
/// answer: a caller that keeps reading gets all of it however long that takes, one that stops is cut, and its request, with
/// the turn it holds, ends (nginx's <c>send_timeout</c>). A write is taken once the connection has room for it, and the
/// operating system reports room once about half the socket's send buffer has drained (up to 2 MB of a local link's 4 MB),
/// so at 30 s a caller reading some tens of KB a second is never cut. Kestrel's own minimum response rate cannot do this: it
/// gives a write as long as its length takes at that rate, and counts the writes the socket's buffers took at once, so an
/// unread 4.9 MB answer was given hours.
/// </summary>
public sealed partial class SendProgress(IMeterFactory meters, ILogger<SendProgress> logger, TimeProvider time)
{
    /// <summary>The most one write hands the connection at once.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly Counter<long> _cut = meters.Create(WardLinkActivity.SourceName)
        .CreateCounter<long>("wardlink.gateway.answers_cut", "{answer}", "Answers of the gateway's own a caller bound by a share stopped taking: each closed its connection after RateLimits:SendTimeout.");

    /// <summary>
    /// Runs <paramref name="next"/> with <paramref name="http"/>'s answer bound to keep moving. An answer cut ends its request
    /// (the connection is closed: nothing more can be sent), whatever the middleware after this made of the failed write. An
    /// answer not started when <paramref name="next"/> returns is left to the middleware before this (the status-code pages'
    /// problem of an empty 404) and to Kestrel (its <c>Content-Length</c>).
    /// </summary>
    public async Task RunAsync(HttpContext http, TimeSpan timeout, RequestDelegate next)
    {
        var prior = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var body = new BodyStream(prior.Stream, timeout, http, this, time);
        var feature = new StreamResponseBodyFeature(body, prior);
        http.Features.Set<IHttpResponseBodyFeature>(feature);
        try
        {
            await next(http);
            if (http.Response.HasStarted || feature.Writer.UnflushedBytes > 0)
            {
                await feature.CompleteAsync();
            }
        }
        catch (Exception) when (body.Cut)
        {
            // Counted and logged where it was cut; whatever the middleware after this made of the failed write, the request is over.
        }
        finally
        {
            http.Features.Set(prior);
        }
    }

    private void Cut(int bytes, TimeSpan timeout)
    {
        _cut.Add(1);
        LogCut(logger, bytes, timeout);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "An answer was cut: its caller took none of a {Bytes}-byte write in {Timeout}.")]
    private static partial void LogCut(ILogger logger, int bytes, TimeSpan timeout);

    private sealed class BodyStream(Stream inner, TimeSpan timeout, HttpContext http, SendProgress progress, TimeProvider time) : WriteOnlyStream
    {
        /// <summary>Whether the answer was cut: a write of it was not taken within the send timeout.</summary>
        public bool Cut { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var offset = 0; offset < buffer.Length; offset += ChunkBytes)
            {
                var piece = buffer.Slice(offset, Math.Min(ChunkBytes, buffer.Length - offset));
                await WithinTimeoutAsync(piece.Length, ct => inner.WriteAsync(piece, ct), cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
            TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

        public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            WithinTimeoutAsync(0, ct => new ValueTask(inner.FlushAsync(ct)), cancellationToken).AsTask();

        /// <summary>
        /// Runs one write or flush of <paramref name="bytes"/>, closing the connection when the caller has not taken it within
        /// the send timeout (whoever's token ended the wait then: a caller that went away earlier is no cut; the timer, not a
        /// clock read after it, says so: a timer may fire a millisecond before a stopwatch says its time is up).
        /// </summary>
        private async ValueTask WithinTimeoutAsync(int bytes, Func<CancellationToken, ValueTask> write, CancellationToken cancellationToken)
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                await write(either.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Cut = true;
                progress.Cut(bytes, timeout);
                http.Abort();
                throw;
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Flush() => inner.Flush();
    }
}
