using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using WardLink.Domain;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>
/// Stages a new record's writes in <paramref name="session"/> under <paramref name="number"/>, or
/// refuses it (then it stages nothing and the number goes to the next record). It runs the
/// record's pure decision: no I/O, so a batch never waits on one record's lookups.
/// </summary>
public delegate Rejection? NumberedWrite(IDocumentSession session, string number);

/// <summary>How many records one commit of <see cref="NumberedRecords"/> takes at most (<c>Intake:MaxBatch</c>).</summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    [Range(1, int.MaxValue)]
    public int MaxBatch { get; set; } = 128;
}

/// <summary>
/// Group commit for records with a gap-free yearly number (<see cref="YearlyNumbers"/>). One writer per
/// prefix and year takes what arrived while its previous commit was in flight (up to
/// <see cref="IntakeOptions.MaxBatch"/>), takes the counter's turn once, runs each record's decision
/// with the next number (a refused record takes none and fails nothing else), appends the accepted
/// records and one event naming their numbers (<see cref="NumbersReserved"/>), and commits them together:
/// one transaction and one fsync for the batch, where one at a time under the counter's lock gave one each.
/// A failed commit fails the whole batch and takes no number (the counter is appended in the same
/// transaction). A record's events keep the trace of the request it came from. A request under an <c>Idempotency-Key</c> runs in its own transaction
/// (<see cref="RequestTransaction"/>, which keeps its answer with the record) and so is numbered alone,
/// taking the same counter's turn.
/// </summary>
public sealed class NumberedRecords(ISessionFactory sessions, IOptions<IntakeOptions> options, IOptions<WardOptions> wards) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Ward, string Prefix, int Year), Lazy<Writer>> _writers = new();
    private readonly string _home = wards.Value.Home.Id;
    private readonly ISessionFactory _sessions = sessions;
    private readonly int _maxBatch = options.Value.MaxBatch;

    /// <summary>
    /// Records what <paramref name="write"/> stages under the next number of <paramref name="prefix"/>
    /// in the local year of <paramref name="at"/>, in the ward the work acts in (<see cref="WardContext"/>);
    /// null once committed, or the record's rejection.
    /// </summary>
    public Task<Rejection?> RecordAsync(string prefix, DateTimeOffset at, Guid forRecord, NumberedWrite write, CancellationToken ct)
    {
        if (RequestTransaction.Current is not null)
        {
            return _sessions.RetryOnConflictAsync(
                async session =>
                {
                    var number = await session.ReserveNumberAsync(prefix, at, forRecord, ct);
                    if (write(session, number) is { } rejection)
                    {
                        return rejection;
                    }

                    await session.SaveChangesAsync(ct);
                    return null;
                },
                ct);
        }

        var pending = new Pending(forRecord, write, Activity.Current, WardContext.Known, ct);
        var writer = _writers.GetOrAdd((WardContext.Current ?? _home, prefix, WardTime.LocalYear(at)), scope => new(() => Writer.Start(scope.Ward, scope.Prefix, scope.Year, this))).Value;
        if (!writer.Queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(NumberedRecords), "The service is stopping.");
        }

        return pending.Answer.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        // What is queued still commits: its callers are waiting for their answers.
        var writers = _writers.Values.Select(writer => writer.Value).ToList();
        foreach (var writer in writers)
        {
            writer.Queue.Writer.TryComplete();
        }

        await Task.WhenAll(writers.Select(writer => writer.Running));
    }

    /// <summary>A record waiting for its batch: its writes, the request's trace and ward as it read it, and the caller's answer.</summary>
    private sealed class Pending(Guid forRecord, NumberedWrite write, Activity? trace, KnownWard? ward, CancellationToken requestAborted)
    {
        public Guid For { get; } = forRecord;

        public NumberedWrite Write { get; } = write;

        public Activity? Trace { get; } = trace;

        public KnownWard? Ward { get; } = ward;

        public CancellationToken RequestAborted { get; } = requestAborted;

        public TaskCompletionSource<Rejection?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The single writer of one ward, prefix and year.</summary>
    private sealed class Writer
    {
        private readonly string _ward;
        private readonly string _prefix;
        private readonly int _year;
        private readonly NumberedRecords _records;

        private Writer(string ward, string prefix, int year, NumberedRecords records)
        {
            _ward = ward;
            _prefix = prefix;
            _year = year;
            _records = records;
        }

        public Channel<Pending> Queue { get; } = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

        public Task Running { get; private set; } = Task.CompletedTask;

        public static Writer Start(string ward, string prefix, int year, NumberedRecords records)
        {
            var writer = new Writer(ward, prefix, year, records);

            // Not in the first caller's context: its request transaction and trace are its own.
            using (ExecutionContext.SuppressFlow())
            {
                writer.Running = Task.Run(writer.RunAsync);
            }

            return writer;
        }

        private async Task RunAsync()
        {
            // Every session the writer opens is in its ward.
            using var ward = WardContext.Enter(_ward);
            var batch = new List<Pending>();
            while (await Queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < _records._maxBatch && Queue.Reader.TryRead(out var pending))
                {
                    if (!pending.Answer.Task.IsCompleted && pending.RequestAborted.IsCancellationRequested)
                    {
                        pending.Answer.TrySetCanceled(pending.RequestAborted);
                        continue;
                    }

                    batch.Add(pending);
                }

                if (batch.Count > 0)
                {
                    await CommitAsync(batch);
                }
            }
        }

        private async Task CommitAsync(List<Pending> batch)
        {
            try
            {
                var answers = await _records._sessions.RetryOnConflictAsync(session => StageAndSaveAsync(session, batch), CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(answers[i]);
                }
            }
            catch (Exception failure)
            {
                foreach (var pending in batch)
                {
                    pending.Answer.TrySetException(failure);
                }

                // PostgreSQL gone or hanging: what waits behind the batch would wait as long again for the same answer (a 503).
                while (DatabaseOutages.Is(failure) && Queue.Reader.TryRead(out var waiting))
                {
                    waiting.Answer.TrySetException(failure);
                }
            }
        }

        /// <summary>
        /// One attempt at the batch. Its span starts once the session is open (without a trace, so
        /// the session stamps nothing of its own) and links the requests; each record's events carry its
        /// request's trace, and the batch's numbers (one event on the counter) the batch's span.
        /// </summary>
        private async Task<Rejection?[]> StageAndSaveAsync(IDocumentSession session, List<Pending> batch)
        {
            using var activity = WardLinkActivity.Source.StartActivity(
                ActivityKind.Internal,
                parentContext: default,
                links: [.. batch.Where(pending => pending.Trace is not null).Select(pending => new ActivityLink(pending.Trace!.Context))],
                name: $"number {_prefix}-{_ward}-{_year} batch");
            activity?.SetTag("wardlink.batch.size", batch.Count);
            var ct = CancellationToken.None;

            // The ward as the newest of the batch's requests read it from the directory: no read of its own.
            using var ward = batch.Select(pending => pending.Ward).LastOrDefault(known => known?.Id == _ward) is { } known
                ? WardContext.Enter(known)
                : WardContext.Enter(_ward);
            var counter = await session.TakeCounterAsync(_prefix, _year, ct);
            var answers = new Rejection?[batch.Count];
            var reserved = new List<NumberReserved>();
            for (var i = 0; i < batch.Count; i++)
            {
                var pending = batch[i];
                var staged = session.PendingChanges.Streams().Count;
                answers[i] = pending.Write(session, counter.Peek());
                if (answers[i] is null)
                {
                    reserved.Add(new NumberReserved(counter.Next(), pending.For));
                    foreach (var stream in session.PendingChanges.Streams().Skip(staged))
                    {
                        Stamp(stream.Events, pending.Trace);
                    }
                }
            }

            if (reserved.Count > 0)
            {
                // One event names the batch's numbers (one a record doubled what the store and the audit chain wrote a tip).
                var numbers = session.Events.Append(counter.StreamId, counter.Version + 1, new NumbersReserved(reserved));
                Stamp(numbers.Events, activity);
                await session.SaveChangesAsync(ct);
            }

            return answers;
        }

        private static void Stamp(IEnumerable<IEvent> events, Activity? trace)
        {
            if (TracedSessionFactory.TraceOf(trace) is not var (correlationId, causationId, traceParent))
            {
                return;
            }

            foreach (var stamped in events)
            {
                stamped.CorrelationId = correlationId;
                stamped.CausationId = causationId;
                stamped.SetHeader(TracedSessionFactory.TraceParentHeader, traceParent);
            }
        }
    }
}
