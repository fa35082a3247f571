using System.ComponentModel.DataAnnotations;

namespace WardLink.ServiceDefaults.Audit;

/// <summary>How the log differs from what the chain recorded at a sequence.</summary>
public enum BreakKind
{
    /// <summary>The event's data is not what was chained.</summary>
    DataChanged,

    /// <summary>The chain has a link here, the log no event.</summary>
    MissingEvent,

    /// <summary>Another stream's event (or another version) sits where the chain recorded this one.</summary>
    OutOfOrder,

    /// <summary>Its type or recorded time is not what was chained.</summary>
    FieldsChanged,

    /// <summary>The log has an event here inside the chained range that the chain never saw.</summary>
    UnchainedEvent,

    /// <summary>The event matches what was chained, but the stored link does not follow from the links before it.</summary>
    LinkAltered,
}

/// <summary>The first place where the log and the chain disagree: what the chain recorded and what the log holds now.</summary>
public sealed record BrokenLink(
    [property: Range(0, long.MaxValue)] long Sequence,
    BreakKind Kind,
    [property: MaxLength(ChainVerifier.ComparedFields), ItemsMaxLength(ChainVerifier.MaxFieldNameLength)] IReadOnlyList<string> Differences,
    ChainedFields? Chained,
    ChainedFields? Found);

/// <summary>A checkpoint of a service's chain head, as held by <see cref="Holder"/> (the service itself or a peer).</summary>
public sealed record CheckpointCopy(
    [property: MaxLength(AuditEndpoints.MaxServiceNameLength)] string Holder,
    [property: Range(0, long.MaxValue)] long Sequence,
    [property: Range(0, long.MaxValue)] long Position,
    [property: MaxLength(HashChain.HashLength)] string Head,
    DateTimeOffset At);

/// <summary>
/// Whether a checkpoint agrees with the chain recomputed from the log at its sequence; null when
/// the check did not reach it.
/// </summary>
public sealed record CheckpointVerdict(
    [property: MaxLength(AuditEndpoints.MaxServiceNameLength)] string Holder,
    [property: Range(0, long.MaxValue)] long Sequence,
    [property: MaxLength(HashChain.HashLength)] string Head,
    [property: MaxLength(HashChain.HashLength)] string? Recomputed,
    bool? Agrees);

public sealed record IntegrityReport(
    [property: MaxLength(AuditEndpoints.MaxServiceNameLength)] string Service,
    bool Intact,
    [property: Range(0, long.MaxValue)] long EventsChecked,
    [property: Range(0, long.MaxValue)] long ChainedThrough,
    [property: MaxLength(HashChain.HashLength)] string Head,
    [property: Range(0, long.MaxValue)] long Pending,
    BrokenLink? FirstBroken,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<CheckpointVerdict> Checkpoints);

/// <summary>
/// Recomputes a service's chain from its log, entry by entry in sequence order (nothing is held
/// but the running head), and compares it with the stored links and with checkpoints. The same
/// check runs in the service (<c>GET /audit/{service}/integrity</c>) and offline in the auditor tool.
/// </summary>
public sealed class ChainVerifier(string service, IEnumerable<CheckpointCopy> checkpoints)
{
    /// <summary>The fields a broken link can name as different: streamId, version, type, data, recordedAt.</summary>
    public const int ComparedFields = 5;

    /// <summary>The longest of those names (<c>recordedAt</c>).</summary>
    public const int MaxFieldNameLength = 10;

    private readonly ILookup<long, CheckpointCopy> _checkpoints = checkpoints.ToLookup(copy => copy.Sequence);
    private readonly List<CheckpointVerdict> _verdicts = [];
    private string? _running;
    private long _checked;
    private long _chainedThrough;
    private AuditEntry? _firstUnchained;
    private long _unchained;
    private BrokenLink? _broken;

    public void Add(AuditEntry entry)
    {
        _running ??= entry.Link?.Previous ?? HashChain.Genesis;
        if (entry.Link is not { } link)
        {
            // Events after the last link are waiting for the chain; one before a link was slipped in.
            _firstUnchained ??= entry;
            _unchained++;
            return;
        }

        if (_firstUnchained is { Event: { } inserted })
        {
            Break(new BrokenLink(_firstUnchained.Sequence, BreakKind.UnchainedEvent, ["sequence"], null, inserted.Chained(_firstUnchained.Sequence)));
        }

        _firstUnchained = null;
        _unchained = 0;
        _checked++;
        _chainedThrough = entry.Sequence;
        var chained = link.Chained(entry.Sequence);
        if (entry.Event is not { } recorded)
        {
            Break(new BrokenLink(entry.Sequence, BreakKind.MissingEvent, ["event"], chained, null));
        }
        else
        {
            var found = recorded.Chained(entry.Sequence);
            _running = HashChain.Link(_running, found);
            if (_running != link.Hash)
            {
                Break(Classify(entry.Sequence, chained, found));
            }
        }

        foreach (var copy in _checkpoints[entry.Sequence])
        {
            _verdicts.Add(new CheckpointVerdict(copy.Holder, copy.Sequence, copy.Head, _running, copy.Head == _running));
        }
    }

    public IntegrityReport Report()
    {
        var reached = _verdicts.Select(verdict => (verdict.Holder, verdict.Sequence)).ToHashSet();
        var verdicts = _verdicts
            .Concat(_checkpoints.SelectMany(group => group)
                .Where(copy => !reached.Contains((copy.Holder, copy.Sequence)))
                .Select(copy => new CheckpointVerdict(copy.Holder, copy.Sequence, copy.Head, null, null)))
            .OrderBy(verdict => verdict.Sequence)
            .ThenBy(verdict => verdict.Holder, StringComparer.Ordinal)
            .ToList();
        return new IntegrityReport(
            service,
            _broken is null && verdicts.All(verdict => verdict.Agrees != false),
            _checked,
            _chainedThrough,
            _running ?? HashChain.Genesis,
            _unchained,
            _broken,
            verdicts);
    }

    private void Break(BrokenLink broken) => _broken ??= broken;

    private static BrokenLink Classify(long sequence, ChainedFields chained, ChainedFields found)
    {
        var differences = new List<string>();
        if (chained.StreamId != found.StreamId)
        {
            differences.Add("streamId");
        }

        if (chained.Version != found.Version)
        {
            differences.Add("version");
        }

        if (chained.Type != found.Type)
        {
            differences.Add("type");
        }

        if (chained.DataHash != found.DataHash)
        {
            differences.Add("data");
        }

        if (chained.RecordedAt != found.RecordedAt)
        {
            differences.Add("recordedAt");
        }

        var kind = differences.Contains("streamId") || differences.Contains("version") ? BreakKind.OutOfOrder
            : differences.Contains("data") ? BreakKind.DataChanged
            : differences.Count > 0 ? BreakKind.FieldsChanged
            : BreakKind.LinkAltered;
        return new BrokenLink(sequence, kind, differences, chained, found);
    }
}
