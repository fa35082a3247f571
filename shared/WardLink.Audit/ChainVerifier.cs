using System.ComponentModel.DataAnnotations;
using WardLink.ServiceDefaults;

namespace WardLink.Audit;

/// <summary>How the log differs from what the chain recorded at a sequence.</summary>
public enum BreakKind
{
    /// <summary>The event's data is not what was chained.</summary>
    DataChanged,

    /// <summary>The chain (a link, or a checkpoint a holder keeps) recorded an event here, the log has none.</summary>
    MissingEvent,

    /// <summary>Another stream's event (or another version) sits where the chain recorded this one; or a line's sequence is not after the one before it (<c>sequence</c> in the differences).</summary>
    OutOfOrder,

    /// <summary>Its type, recorded time or ward is not what was chained (a record moved to another ward of the database).</summary>
    FieldsChanged,

    /// <summary>The log has an event here inside the chained range that the chain never saw, or at a sequence of 0 or below, where the chain never starts.</summary>
    UnchainedEvent,

    /// <summary>
    /// The event matches what was chained, but the stored link does not: its hash is not the one recomputed (or the sequence it
    /// was hashed with was changed), its previous is not the link before it (<c>previous</c> in the differences), or its own
    /// copies of the event's fields were changed (those fields in the differences).
    /// </summary>
    LinkAltered,

    /// <summary>The log does not start at the genesis link: its first chained event follows a link the log does not hold.</summary>
    TruncatedHead,

    /// <summary>A checkpoint lies beyond the log's last chained event: the log ends before what a holder saw.</summary>
    TruncatedTail,

    /// <summary>The chain recomputed from the log is not the head a checkpoint holds at its sequence.</summary>
    CheckpointDisagrees,

    /// <summary>A checkpoint's signature does not verify against its service's key: the service did not make it, or it was changed since.</summary>
    SignatureInvalid,

    /// <summary>
    /// A checkpoint follows the one before it (or the chain's start) by more links than the service takes one every
    /// (<c>Audit:CheckpointEvery</c>): the checkpoints between were deleted from every holder, as whoever rewrote the chain there would.
    /// </summary>
    CheckpointMissing,
}

/// <summary>
/// The first place where the log and the chain disagree: what the chain recorded and what the log
/// holds now (null where there is nothing to show: a checkpoint's sequence, a cut). Its <see cref="Sequence"/> is where
/// the row or checkpoint stands, 0 or below for one an insider put there (the store numbers its events from 1).
/// </summary>
public sealed record BrokenLink(
    [property: Range(long.MinValue, long.MaxValue)] long Sequence,
    BreakKind Kind,
    [property: MaxLength(ChainVerifier.ComparedFields), ItemsMaxLength(ChainVerifier.MaxFieldNameLength)] IReadOnlyList<string> Differences,
    ChainedFields? Chained,
    ChainedFields? Found);

/// <summary>
/// A checkpoint of a service's chain head, as held by <see cref="Holder"/> (the service itself or a
/// peer), with the service's <see cref="Signature"/> (see <see cref="CheckpointSignature"/>).
/// </summary>
public sealed record CheckpointCopy(
    [property: MaxLength(ServiceIdentity.MaxNameLength)] string Holder,
    [property: Range(0, long.MaxValue)] long Sequence,
    [property: Range(0, long.MaxValue)] long Position,
    [property: MaxLength(HashChain.HashLength)] string Head,
    DateTimeOffset At,
    [property: MaxLength(CheckpointSignature.MaxLength)] string? Signature = null);

/// <summary>
/// Whether a checkpoint agrees with the chain recomputed from the log at its sequence. A checkpoint
/// the log does not reach (no event at its sequence, or beyond its end) never agrees:
/// <see cref="Recomputed"/> is null then. <see cref="SignatureValid"/>: whether its signature verifies
/// against its service's key; false when it carries none, null when it carries one and no keys were
/// given to check it with.
/// </summary>
public sealed record CheckpointVerdict(
    [property: MaxLength(ServiceIdentity.MaxNameLength)] string Holder,
    [property: Range(0, long.MaxValue)] long Sequence,
    [property: MaxLength(HashChain.HashLength)] string Head,
    [property: MaxLength(HashChain.HashLength)] string? Recomputed,
    bool Agrees,
    bool? SignatureValid);

/// <summary>
/// The events no witness can vouch for yet: the <see cref="Events"/> after the last checkpoint a
/// witness holds that agrees with the log (<see cref="WitnessedThrough"/>, taken at
/// <see cref="WitnessedAt"/>; 0 and null before any), the first of them recorded at <see cref="Since"/> (a tombstone's time
/// aside, <see cref="AuditEvent.TombstoneType"/>: null while the tail holds only tombstones).
/// Whoever rewrites the service's database can change these without a witness noticing.
/// </summary>
public sealed record UnwitnessedTail(
    [property: Range(0, long.MaxValue)] long WitnessedThrough,
    DateTimeOffset? WitnessedAt,
    [property: Range(0, long.MaxValue)] long Events,
    DateTimeOffset? Since);

public sealed record IntegrityReport(
    [property: MaxLength(ServiceIdentity.MaxNameLength)] string Service,
    bool Intact,
    [property: Range(0, long.MaxValue)] long EventsChecked,
    [property: Range(0, long.MaxValue)] long ChainedThrough,
    [property: MaxLength(HashChain.HashLength)] string Head,
    [property: Range(0, long.MaxValue)] long Pending,
    BrokenLink? FirstBroken,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<CheckpointVerdict> Checkpoints,
    UnwitnessedTail Unwitnessed);

/// <summary>
/// Recomputes a service's chain from its log, entry by entry in sequence order (nothing is held
/// but the running head), and compares it with the stored links and with checkpoints. A log is
/// complete when its chain starts at <see cref="HashChain.Genesis"/> and reaches every checkpoint
/// a holder keeps, and every checkpoint is signed by the service: an unsigned one is a break
/// always, a signature that does not verify when <paramref name="keys"/> are given to check it. The same check runs in the service (<c>GET /audit/{service}/integrity</c>) and
/// offline in the auditor tool. <paramref name="witnesses"/> says which checkpoints vouch for the
/// log from outside the service (by default those held by another service). Given <paramref name="checkpointEvery"/> (the
/// service's <c>Audit:CheckpointEvery</c>), the checkpoints held follow each other by at most that many links: the service
/// takes one at every such position, in the transaction that links it, so a longer gap is checkpoints deleted everywhere.
/// </summary>
public sealed class ChainVerifier(string service, IEnumerable<CheckpointCopy> checkpoints, CheckpointKeys? keys = null, Func<CheckpointCopy, bool>? witnesses = null, long? checkpointEvery = null)
{
    /// <summary>The most fields a broken link names as different (streamId, version, type, data, recordedAt, ward; or one of previous, event, sequence, head, signature, position).</summary>
    public const int ComparedFields = 6;

    /// <summary>The longest of those names (<c>recordedAt</c>).</summary>
    public const int MaxFieldNameLength = 10;

    private readonly List<CheckpointCopy> _checkpoints = [.. checkpoints.OrderBy(copy => copy.Sequence).ThenBy(copy => copy.Holder, StringComparer.Ordinal)];
    private readonly Func<CheckpointCopy, bool> _witnesses = witnesses ?? (copy => copy.Holder != service);
    private readonly List<CheckpointVerdict> _verdicts = [];
    private int _nextCheckpoint;
    private string? _running;
    private long _checked;
    private long _chainedThrough;
    private long _lastSequence;
    private AuditEntry? _firstUnchained;
    private long _unchained;
    private BrokenLink? _broken;
    private long _entries;
    private long _witnessedEntries;
    private CheckpointCopy? _witnessed;
    private DateTimeOffset? _unwitnessedSince;
    private long _checkpointedThrough;

    public void Add(AuditEntry entry)
    {
        _entries++;
        if ((entry.Event?.Type ?? entry.Link?.Type) != AuditEvent.TombstoneType)
        {
            _unwitnessedSince ??= entry.Event?.RecordedAt ?? entry.Link?.RecordedAt;
        }

        // The store numbers its events from 1, where the chain starts: a row at 0 or below was put there by hand, and a
        // service's reads of its stream fold it all the same.
        if (entry.Sequence <= 0)
        {
            Break(new BrokenLink(
                entry.Sequence, entry.Event is null ? BreakKind.MissingEvent : BreakKind.UnchainedEvent, ["sequence"], entry.Link?.Chained(entry.Sequence), entry.Event?.Chained(entry.Sequence, entry.Link)));
            return;
        }

        // The log runs in sequence order: a line whose sequence is not after the one before it was moved or changed, and
        // is named where it stands, before any checkpoint its sequence would pass over is judged missing.
        var inOrder = entry.Sequence > _lastSequence;
        if (!inOrder)
        {
            Break(new BrokenLink(entry.Sequence, BreakKind.OutOfOrder, ["sequence"], entry.Link?.Chained(entry.Sequence), entry.Event?.Chained(entry.Sequence, entry.Link)));
        }

        if (entry.Link is not { } link)
        {
            // Events after the last link are waiting for the chain; one before a link was slipped in.
            _firstUnchained ??= entry;
            _unchained++;
            _lastSequence = inOrder ? entry.Sequence : _lastSequence;
            return;
        }

        // A link follows the one before it; the first names where the log starts. A stored previous is text anyone with
        // the database can write: one that is no digest names no link to follow, and the chain goes on from the genesis link.
        var follows = true;
        if (_running is null)
        {
            _running = HashChain.IsDigest(link.Previous) ? link.Previous : HashChain.Genesis;
            if (link.Previous != HashChain.Genesis)
            {
                Break(new BrokenLink(entry.Sequence, BreakKind.TruncatedHead, ["previous"], link.Chained(entry.Sequence), entry.Event?.Chained(entry.Sequence, link)));
            }
        }
        else
        {
            follows = link.Previous == _running;
        }

        if (_firstUnchained is { Event: { } inserted })
        {
            Break(new BrokenLink(_firstUnchained.Sequence, BreakKind.UnchainedEvent, ["sequence"], null, inserted.Chained(_firstUnchained.Sequence)));
        }

        _firstUnchained = null;
        _unchained = 0;

        // The line on its own, judged from the link it names (the running head where it names none), as state judges it; a
        // line that does not follow the one before it may have had only its previous changed: judged from the running head too.
        var line = Examine(entry.Sequence, link, entry.Event, HashChain.IsDigest(link.Previous) ? link.Previous : _running);
        if (line.Broken is not null && !follows && Examine(entry.Sequence, link, entry.Event, _running) is { Broken: null } fromRunning)
        {
            line = fromRunning;
        }

        // A line that does not stand where its sequence says is named before the checkpoints its sequence would pass over.
        if (inOrder && line.Placed)
        {
            PassOverCheckpointsBefore(entry.Sequence);
            _lastSequence = entry.Sequence;
        }

        _checked++;
        _chainedThrough = inOrder ? entry.Sequence : _chainedThrough;
        if (line.Broken is { } broken)
        {
            Break(broken);
        }
        else if (!follows)
        {
            Break(new BrokenLink(entry.Sequence, BreakKind.LinkAltered, ["previous"], link.Chained(entry.Sequence), entry.Event?.Chained(entry.Sequence, link)));
        }

        // The chain recomputed from the events: a line that follows and whose link vouches for its event hashed to its link.
        if (line.Found is { } found)
        {
            _running = line.Broken is null && follows ? link.Hash : HashChain.Link(_running, found);
        }

        for (; _nextCheckpoint < _checkpoints.Count && _checkpoints[_nextCheckpoint].Sequence == entry.Sequence; _nextCheckpoint++)
        {
            Judge(_checkpoints[_nextCheckpoint], _running, BreakKind.CheckpointDisagrees);
        }
    }

    public IntegrityReport Report()
    {
        // What is left lies beyond the chain's last link: the log was cut before events a holder saw.
        for (; _nextCheckpoint < _checkpoints.Count; _nextCheckpoint++)
        {
            Judge(_checkpoints[_nextCheckpoint], null, BreakKind.TruncatedTail);
        }

        var verdicts = _verdicts.ToList();
        return new IntegrityReport(
            service,
            _broken is null,
            _checked,
            _chainedThrough,
            _running ?? HashChain.Genesis,
            _unchained,
            _broken,
            verdicts,
            new UnwitnessedTail(_witnessed?.Sequence ?? 0, _witnessed?.At, _entries - _witnessedEntries, _unwitnessedSince));
    }

    /// <summary>
    /// Checkpoints at sequences the chain passed without a link there: the log has no event where a
    /// holder saw one. Before the first link the head was cut, which that break already names.
    /// </summary>
    private void PassOverCheckpointsBefore(long sequence)
    {
        for (; _nextCheckpoint < _checkpoints.Count && _checkpoints[_nextCheckpoint].Sequence < sequence; _nextCheckpoint++)
        {
            Judge(_checkpoints[_nextCheckpoint], null, BreakKind.MissingEvent);
        }
    }

    /// <summary>
    /// The verdict on a checkpoint given the head recomputed at its sequence (null: the log has no
    /// event there). A checkpoint its service did not sign is a break whatever it says: one without a
    /// signature always (its absence needs no key to see), one whose signature does not verify when
    /// <c>keys</c> are given to check it; one that disagrees is a break of <paramref name="kind"/>; one
    /// a witness holds that agrees moves the witnessed part of the log up to it.
    /// </summary>
    private void Judge(CheckpointCopy copy, string? recomputed, BreakKind kind)
    {
        bool? signatureValid = string.IsNullOrEmpty(copy.Signature) ? false
            : keys is null ? null
            : keys.Check(service, copy.Sequence, copy.Position, copy.Head, copy.At, copy.Signature) == SignatureCheck.Valid;
        var agrees = recomputed is not null && copy.Head == recomputed;
        _verdicts.Add(new CheckpointVerdict(copy.Holder, copy.Sequence, ChainedFields.Shown(copy.Head, HashChain.HashLength), recomputed, agrees, signatureValid));
        var missingBefore = copy.Position - _checkpointedThrough > checkpointEvery;
        _checkpointedThrough = Math.Max(_checkpointedThrough, copy.Position);
        if (signatureValid == false)
        {
            Break(new BrokenLink(copy.Sequence, BreakKind.SignatureInvalid, ["signature"], null, null));
        }
        else if (missingBefore)
        {
            Break(new BrokenLink(copy.Sequence, BreakKind.CheckpointMissing, ["position"], null, null));
        }
        else if (!agrees)
        {
            Break(new BrokenLink(copy.Sequence, kind, [kind == BreakKind.CheckpointDisagrees ? "head" : kind == BreakKind.MissingEvent ? "event" : "sequence"], null, null));
        }
        else if (_witnesses(copy))
        {
            _witnessed = copy;
            _witnessedEntries = _entries;
            _unwitnessedSince = null;
        }
    }

    /// <summary>
    /// The first break, with what each side holds shown within the lengths the report documents: a link or an event an insider
    /// rewrote to a longer text is found by its hash, and shown by its first characters, never echoed whole.
    /// </summary>
    private void Break(BrokenLink broken) => _broken ??= broken with { Chained = broken.Chained?.Shown(), Found = broken.Found?.Shown() };

    /// <summary>The fields in which the event <paramref name="found"/> in the log differs from what its link <paramref name="chained"/>.</summary>
    private static List<string> Differences(ChainedFields chained, ChainedFields found)
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

        if (chained.Ward != found.Ward)
        {
            differences.Add("ward");
        }

        return differences;
    }

    /// <summary>
    /// Whether the link of <paramref name="entry"/> vouches for its event on its own (the auditor tool's <c>state</c> folds only
    /// such events): the judgement <c>verify</c> makes of each line, from the link the line names as its previous. A line
    /// <c>verify</c> finds nothing wrong with is one whose link vouches for its event; one it names as broken is not.
    /// </summary>
    public static bool Vouches(AuditEntry entry) =>
        entry is { Link: { } link, Event: not null } && HashChain.IsDigest(link.Previous) && Examine(entry.Sequence, link, entry.Event, link.Previous).Broken is null;

    /// <summary>
    /// One line of the log on its own, given the link before it (<paramref name="previous"/>): its link vouches for its event
    /// when the link's copies of the event's fields are the event's and its hash is the one recomputed from
    /// <paramref name="previous"/> and those fields at <paramref name="sequence"/>. <see cref="Line.Placed"/>: the link's hash
    /// holds at this sequence for the event or for the link's own fields, so the line stands where its sequence says (a
    /// sequence changed, or a hash, holds for neither).
    /// </summary>
    private static Line Examine(long sequence, AuditLink link, AuditEvent? recorded, string previous)
    {
        var chained = link.Chained(sequence);
        var linkHolds = HashChain.Link(previous, chained) == link.Hash;
        if (recorded is null)
        {
            return new Line(new BrokenLink(sequence, BreakKind.MissingEvent, ["event"], chained, null), linkHolds);
        }

        var found = recorded.Chained(sequence, link);
        var differences = Differences(chained, found);
        var eventHolds = differences.Count == 0 ? linkHolds : HashChain.Link(previous, found) == link.Hash;

        // A link that named its ward with the ward taken out of it (to pass for one made before links named theirs): its hash
        // still holds for the event with its ward.
        if (!eventHolds && link.Ward is null && recorded.Ward is not null && HashChain.Link(previous, recorded.Chained(sequence)) == link.Hash)
        {
            found = recorded.Chained(sequence);
            differences = Differences(chained, found);
            eventHolds = true;
        }

        if (eventHolds && differences.Count == 0)
        {
            return new Line(null, Placed: true, found);
        }

        // The hash holds for the event: the link's own copies were changed. Otherwise the event is not what was chained; with
        // no field different, the link's hash (or the sequence it is hashed with) is not what the chain wrote.
        var kind = eventHolds || differences.Count == 0 ? BreakKind.LinkAltered
            : differences.Contains("streamId") || differences.Contains("version") ? BreakKind.OutOfOrder
            : differences.Contains("data") ? BreakKind.DataChanged
            : BreakKind.FieldsChanged;
        return new Line(new BrokenLink(sequence, kind, differences, chained, found), eventHolds || linkHolds, found);
    }

    /// <summary>
    /// What one line says on its own: what is wrong with it (null: nothing), whether it stands where its sequence says, and its
    /// event's fields as its link chains them (null: no event), from which the chain is recomputed.
    /// </summary>
    private readonly record struct Line(BrokenLink? Broken, bool Placed, ChainedFields? Found = null);
}
