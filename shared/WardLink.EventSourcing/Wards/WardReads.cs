using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Wards;

/// <summary>A ward a statistic counted: its records with a business time before <paramref name="Until"/> (null: all of them).</summary>
public sealed record CountedWard(
    [property: MaxLength(WardNames.MaxIdLength), Description("A ward counted.")] string Ward,
    [property: Description("The end of its share: its records with a business time before this are counted (its merger or dissolution); null for all of them.")] DateTimeOffset? Until);

/// <summary>
/// What every statistic says of the wards it counted: the ward named by <c>ward=</c> (null when it
/// covers every ward the caller sees), the boundaries, each ward counted with the end of its share,
/// and a note when the named ward had ended before the year began (its figures are then empty).
/// </summary>
public abstract record WardFigures
{
    /// <summary>The longest note: two ward ids and a date in a sentence.</summary>
    public const int MaxNoteLength = (2 * WardNames.MaxIdLength) + 40;

    [MaxLength(WardNames.MaxIdLength), Description("The ward asked for (ward=); null when the figures are of every ward the caller sees.")]
    public string? Ward { get; init; }

    [Description("asRecorded: what each ward itself recorded; current: a ward with every ward merged into it, each up to its merger.")]
    public Boundaries Boundaries { get; init; }

    [MaxLength(DocumentedBounds.AnyCount), Description("Every ward counted, each with the end of its share.")]
    public IReadOnlyList<CountedWard> Wards { get; init; } = [];

    [MaxLength(MaxNoteLength), Description("Why the figures are empty when the ward asked for had ended before the year began (quang-thang was merged into dong-quang on 2025-07-01); else null.")]
    public string? Note { get; init; }
}

/// <summary>
/// The wards one statistic counts (<see cref="Shares"/>: <see cref="Tallies.InShares{T}"/> counts
/// them), and what its answer says of them (<see cref="Describe{T}"/>).
/// </summary>
public sealed record StatisticWards(string? Ward, Boundaries Boundaries, IReadOnlyList<WardShare> Shares, string? Note)
{
    /// <summary>
    /// The shares of every ward <paramref name="request"/> spans (the one named, or all the caller's)
    /// within <paramref name="boundaries"/>. Under current boundaries a ward the caller sees by itself
    /// and also as the predecessor of another ward it sees counts once, as the predecessor: up to its
    /// merger (so a province's current figures are those of its current wards). A ward that had ended before
    /// <paramref name="year"/> began counts nothing of it, named or not; named, it gets a note saying so.
    /// </summary>
    public static async Task<StatisticWards> OfAsync(IQuerySession session, RequestWard request, Boundaries boundaries, int year, CancellationToken ct)
    {
        var start = WardTime.LocalYearSpan(year).Start;
        var ends = (await session.LoadManyAsync<KnownWard>(ct, request.Spans)).ToDictionary(known => known.Id, known => known.EndsAt);
        var shares = new List<WardShare>();
        foreach (var ward in request.Spans)
        {
            // A ward that had ended before the year began counts nothing of it, named or not, whatever was added later
            // under its records (an outreach session of one of its partners) or stays counted through the years (a
            // partner's membership): every share ends where the ward did.
            var endsAt = ends.GetValueOrDefault(ward);
            var endedBefore = endsAt <= start;
            shares.AddRange((await session.SharesOfAsync(ward, endsAt, boundaries == Boundaries.Current, ct))
                .Select(share => endedBefore && !(share.Until < endsAt) ? share with { Until = endsAt } : share));
        }

        shares = [.. shares.GroupBy(share => share.Ward).Select(counted => counted.OrderBy(share => share.Until ?? DateTimeOffset.MaxValue).First())];
        return new StatisticWards(
            request.Named ? request.Ward.Id : null,
            boundaries,
            shares,
            request.Named && request.Ward.EndsAt <= start ? WardChecks.Ended(request.Ward.AsRecording()) : null);
    }

    /// <summary>
    /// The wards a statistic endpoint counts, from its <c>year</c> (required) and <c>boundaries</c> (as recorded
    /// when not given) for the request's wards; null with the field errors when either is not valid.
    /// </summary>
    public static async Task<(StatisticWards? Counted, FieldErrors Errors)> ReadAsync(
        HttpContext http, IQuerySession session, int? year, string? boundaries, CancellationToken ct)
    {
        var errors = new FieldErrors().CheckYear(year, "year");
        var within = errors.ParseEnum<Boundaries>(boundaries, "boundaries");
        return errors.Any ? (null, errors) : (await OfAsync(session, http.Ward(), within ?? Boundaries.AsRecorded, year!.Value, ct), errors);
    }

    /// <summary><paramref name="figures"/> saying which wards they counted.</summary>
    public T Describe<T>(T figures)
        where T : WardFigures =>
        (T)(figures with
        {
            Ward = Ward,
            Boundaries = Boundaries,
            Wards = [.. Shares.Select(share => new CountedWard(share.Ward, share.Until))],
            Note = Note,
        });
}

/// <summary>
/// The ward of the records the current work reads and writes: the one it acts in (<see cref="WardContext"/>),
/// since a session sees only its ward's records and a request on a record is put in that record's ward.
/// </summary>
public static class WardOfWork
{
    public static string Id =>
        WardContext.Current ?? throw new InvalidOperationException("This work acts in no ward: records are shown within a request, which acts in one.");
}

/// <summary>How the API documents describe <c>ward=</c>, which every request may name (<see cref="RequestWards"/>).</summary>
public static class WardParameters
{
    /// <summary>What <c>ward=</c> means on an endpoint that records something new.</summary>
    public const string Recorded = "The ward to record in (one the caller may see, else 404); left out: the caller's first ward.";

    /// <summary>What <c>ward=</c> means on a list.</summary>
    public const string Listed = "Only the records of this ward (one the caller may see, else 404); left out: the records of every ward the caller sees.";

    /// <summary>What <c>ward=</c> means on the ward list, which lists every ward the caller covers (<c>GET /partners/wards/{wardId}</c> finds).</summary>
    public const string OfTheWardList =
        "Only this ward, when the list covers it (as GET /partners/wards/{wardId} finds it), else 404; left out: every ward the caller covers.";

    /// <summary>What <c>ward=</c> means on the read of one ward and its steps (<c>/partners/wards/{wardId}</c>), which find any ward the caller covers.</summary>
    public const string OfTheWardInThePath =
        "The ward of the path, which the request then finds as it does without ward= (any ward the caller covers); another ward: 404.";

    /// <summary>What <c>ward=</c> means on a statistic.</summary>
    public const string Counted = "The ward to count (one the caller may see, else 404); left out: every ward the caller sees, summed.";

    /// <summary>Documents the optional <c>ward</c> query parameter of <paramref name="endpoint"/>, with what it means there.</summary>
    public static RouteHandlerBuilder WithWardParameter(this RouteHandlerBuilder endpoint, string description) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            // In place of the general description, whichever transformer runs first.
            operation.Parameters ??= [];
            foreach (var general in operation.Parameters.Where(parameter => parameter.Name == RequestWards.Parameter && parameter.In == ParameterLocation.Query).ToList())
            {
                operation.Parameters.Remove(general);
            }

            operation.Parameters.Add(Parameter(description));
            return Task.CompletedTask;
        });

    /// <summary>The optional <c>ward</c> query parameter, meaning <paramref name="description"/> (every operation has it: <see cref="WardParameterDocumentation"/>).</summary>
    public static OpenApiParameter Parameter(string description) => new()
    {
        Name = RequestWards.Parameter,
        In = ParameterLocation.Query,
        Required = false,
        Description = $"{description} A ward id: lower-case words joined by hyphens (dong-quang), {WardNames.MinIdLength} to {WardNames.MaxIdLength} characters; malformed: 400.",
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            MinLength = WardNames.MinIdLength,
            MaxLength = WardNames.MaxIdLength,
            Pattern = WardNames.IdPattern,
        },
    };
}
