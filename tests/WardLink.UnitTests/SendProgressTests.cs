using System.Diagnostics.Metrics;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// An answer of the gateway's own is cut exactly when one write of it waits the whole send timeout (docs/api.md): however
/// long the writes before took together, the caller gets every byte of them, and nothing after; the cut closes the
/// connection, is counted once and ends the request quietly. Generated answers (their writes' sizes, and how long the caller
/// takes each piece the connection is handed) on a fake clock.
/// </summary>
public sealed class SendProgressTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void An_answer_is_cut_exactly_at_the_first_write_its_caller_takes_the_whole_timeout_to_take()
    {
        var answers =
            from writes in Gen.Int[1, 3 * SendProgress.ChunkBytes].Array[1, 6]
            from waits in Gen.OneOf(Gen.Long[0, Timeout.Ticks - 1], Gen.Long[Timeout.Ticks, 2 * Timeout.Ticks], Gen.Long[Timeout.Ticks - 2, Timeout.Ticks + 2]).Select(TimeSpan.FromTicks).Array[0, 20]
            select (Writes: writes, Waits: waits);

        answers.Sample(answer =>
        {
            var pieces = answer.Writes.SelectMany(Pieces).ToList();
            var cutAt = Enumerable.Range(0, pieces.Count).Cast<int?>().FirstOrDefault(piece => piece < answer.Waits.Length && answer.Waits[piece!.Value] >= Timeout);

            var (taken, aborted, counted) = Send(answer.Writes, answer.Waits);

            Assert.Equal(pieces.Take(cutAt ?? pieces.Count).Sum(), taken);
            Assert.Equal(cutAt is not null, aborted);
            Assert.Equal(cutAt is null ? 0 : 1, counted);
        });
    }

    /// <summary>A caller that takes each piece just inside the timeout gets an answer many times the timeout long, whole.</summary>
    [Fact]
    public void A_caller_taking_each_piece_within_the_timeout_gets_the_whole_answer_however_long_it_takes()
    {
        var writes = Enumerable.Repeat(SendProgress.ChunkBytes, 40).ToArray();

        var (taken, aborted, counted) = Send(writes, [.. Enumerable.Repeat(Timeout - TimeSpan.FromTicks(1), writes.Length)]);

        Assert.Equal(writes.Sum(), taken);
        Assert.False(aborted);
        Assert.Equal(0, counted);
    }

    /// <summary>The pieces a write of <paramref name="bytes"/> is handed to the connection in.</summary>
    private static IEnumerable<int> Pieces(int bytes) =>
        Enumerable.Range(0, (bytes + SendProgress.ChunkBytes - 1) / SendProgress.ChunkBytes).Select(piece => Math.Min(SendProgress.ChunkBytes, bytes - piece * SendProgress.ChunkBytes));

    /// <summary>
    /// Sends an answer of <paramref name="writes"/> through <see cref="SendProgress"/> to a connection whose caller takes the
    /// n-th piece after the n-th of <paramref name="waits"/> (at once after them); what it took, whether the connection was
    /// closed, and how many cuts were counted.
    /// </summary>
    private static (long Taken, bool Aborted, double Counted) Send(int[] writes, TimeSpan[] waits)
    {
        var time = new FakeTimeProvider();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var metrics = new HostMetrics(meters);
        var progress = new SendProgress(meters, NullLogger<SendProgress>.Instance, time);
        var connection = new Connection(time, new Queue<TimeSpan>(waits));
        var lifetime = new Lifetime();
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(connection));
        http.Features.Set<IHttpRequestLifetimeFeature>(lifetime);

        progress.RunAsync(http, Timeout, async context =>
        {
            foreach (var bytes in writes)
            {
                await context.Response.Body.WriteAsync(new byte[bytes], context.RequestAborted);
            }
        }).GetAwaiter().GetResult();

        return (connection.Taken, lifetime.Aborted, metrics.Of("wardlink.gateway.answers_cut").Sum(recorded => recorded.Value));
    }

    /// <summary>A connection whose caller takes each write after the next of its waits, on the fake clock (a write not taken in time is cancelled, as Kestrel's is).</summary>
    private sealed class Connection(FakeTimeProvider time, Queue<TimeSpan> waits) : WriteOnlyStream
    {
        public long Taken { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            time.Advance(waits.TryDequeue(out var wait) ? wait : TimeSpan.Zero);
            cancellationToken.ThrowIfCancellationRequested();
            Taken += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class Lifetime : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }
}
