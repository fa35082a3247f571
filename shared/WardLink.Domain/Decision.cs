
namespace WardLink.Domain;

/// <summary>
/// What a pure decision function returns: the events to append, or why the command is refused.
/// </summary>
public readonly record struct Decision(IReadOnlyList<object> Events, Rejection? Rejection)
{
    public bool IsAccepted => Rejection is null;

    /// <summary>The request was a retry of one already applied (its <c>Idempotency-Key</c> is kept in the stream): nothing to append, the record answered as it stands.</summary>
    public bool Replayed { get; private init; }

    public static Decision Accept(params object[] events) => new(events, null);

    /// <summary>
    /// What a new record refused by <see cref="AcceptUnless"/> would have begun with, none appended: the time it would have
    /// begun at, for the judgement of its ward's end.
    /// </summary>
    public IReadOnlyList<object> WouldBegin { get; private init; } = [];

    /// <summary>
    /// The events a new record begins with, unless <paramref name="conflict"/> refuses it for its parties (a partner that has
    /// left the linkage): then none is appended, and its ward's end is judged first (a 400 on <c>ward</c>, as the request's own
    /// values are), from the events it would have begun with.
    /// </summary>
    public static Decision AcceptUnless(Rejection? conflict, params object[] events) => conflict is null ? Accept(events) : new([], conflict) { WouldBegin = events };

    /// <summary>A retry of a request already applied: see <see cref="Replayed"/>.</summary>
    public static Decision Replay() => new([], null) { Replayed = true };

    public static implicit operator Decision(Rejection rejection) => new([], rejection);
}

public enum RejectionKind
{
    Invalid,
    NotFound,

    /// <summary>
    /// A part of a record the caller sees (a linked tip, a contact, a channel's member, an action item) that is not there: a
    /// 404 as <see cref="NotFound"/> is, but judged after the request's preconditions on the record, so a removal already
    /// applied, sent again with its <c>If-Match</c>, is a 412 as every step's retry is.
    /// </summary>
    PartNotFound,
    Conflict,

    /// <summary>An <c>Idempotency-Key</c> sent again with another request than the one it stood for.</summary>
    KeyReused,
}

/// <summary>A refused command: a client error, never a fault.</summary>
public sealed record Rejection(RejectionKind Kind, string Title, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    /// <summary>What every refusal of a request's values says.</summary>
    public const string InvalidTitle = "The request is not valid.";

    public static Rejection Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(RejectionKind.Invalid, InvalidTitle, errors);

    public static Rejection NotFound(string title) => new(RejectionKind.NotFound, title);

    /// <summary>
    /// The one refusal of record <paramref name="id"/> (a <paramref name="what"/>) that does not exist, or that the caller may
    /// not see (another partner's, another ward's, another kind of stream): word for word the same, so none tells it exists.
    /// </summary>
    public static Rejection NotFound(string what, Guid id) => NotFound($"{what} {id} was not found.");

    /// <summary>A part of a record the caller sees that is not there (<see cref="RejectionKind.PartNotFound"/>).</summary>
    public static Rejection PartNotFound(string title) => new(RejectionKind.PartNotFound, title);

    public static Rejection Conflict(string title) => new(RejectionKind.Conflict, title);

    public static Rejection KeyReused { get; } = new(RejectionKind.KeyReused, "This Idempotency-Key was already used for another request.");

    /// <summary>
    /// This refusal with <paramref name="values"/>, a refusal of the request's values judged after it: one 400 naming the
    /// fields of both (a message already said is not said twice) when this is one too, else <paramref name="values"/> alone,
    /// since a request's own values are judged before the record's state (docs/api.md).
    /// </summary>
    public Rejection AndThen(Rejection values) =>
        (this, values) is ({ Kind: RejectionKind.Invalid, Errors: { } these }, { Kind: RejectionKind.Invalid, Errors: { } those })
            ? Invalid(these.Concat(those)
                .GroupBy(field => field.Key, StringComparer.Ordinal)
                .ToDictionary(field => field.Key, field => field.SelectMany(messages => messages.Value).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal))
            : values;
}

/// <summary>Collects field errors of a command, keyed by the camelCase field name.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Check(bool valid, string field, string message)
    {
        if (!valid)
        {
            if (!_errors.TryGetValue(field, out var messages))
            {
                _errors[field] = messages = [];
            }

            messages.Add(message);
        }

        return this;
    }

    /// <summary>A text, when given, of at most <paramref name="maxLength"/> characters as sent (<see cref="Characters"/>).</summary>
    public FieldErrors CheckLength(string? text, string field, int maxLength) =>
        Check(Characters.AtMost(text, maxLength), field, $"At most {maxLength} characters.");

    /// <summary>A text required (not blank) and of at most <paramref name="maxLength"/> characters as sent.</summary>
    public FieldErrors CheckText(string? text, string field, string missing, int maxLength) =>
        Check(!string.IsNullOrWhiteSpace(text), field, missing).CheckLength(text, field, maxLength);

    /// <summary>
    /// Reads an optional enum value given as text (a query filter) as the JSON bodies read enums
    /// (<see cref="EnumNames"/>); anything else is an error of <paramref name="field"/>.
    /// </summary>
    public T? ParseEnum<T>(string? value, string field)
        where T : struct, Enum
    {
        if (value is null)
        {
            return null;
        }

        if (EnumNames.TryParse<T>(value, out var parsed))
        {
            return parsed;
        }

        Check(false, field, EnumNames.OneOf(typeof(T)));
        return null;
    }

    public Rejection ToRejection() =>
        Rejection.Invalid(_errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal));

    /// <summary>
    /// The refusal of these errors, else what <paramref name="then"/> decides: a request's own values are judged before the
    /// record's state (docs/api.md), so a step its record's state refuses still names a value past its limit or a blank one.
    /// </summary>
    public Decision Then(Func<Decision> then) => Any ? ToRejection() : then();
}
