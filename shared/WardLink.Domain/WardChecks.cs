using System.Globalization;

namespace WardLink.Domain;

/// <summary>
/// The ward a new record is recorded in, as its intake looked it up: its id, and the local date it
/// ended from (merged into <paramref name="MergedInto"/>, or dissolved when that is null), if it did.
/// </summary>
public sealed record RecordingWard(string Id, DateOnly? EndedOn = null, string? MergedInto = null)
{
    /// <summary>The first instant (local midnight) from which the ward records nothing of its own; null while it exists.</summary>
    public DateTimeOffset? EndsAt => EndedOn is { } ended ? new DateTimeOffset(ended.ToDateTime(TimeOnly.MinValue), WardTime.Offset) : null;
}

/// <summary>What every intake checks of the ward a new record goes to.</summary>
public static class WardChecks
{
    /// <summary>
    /// The field errors of a record recorded in <paramref name="ward"/> that happened at
    /// <paramref name="at"/> (<paramref name="timeField"/>) at the site its place names, which belongs
    /// to <paramref name="siteWard"/> (null: no site, or one the directory does not know). The site must
    /// be the ward's own (a problem naming <paramref name="siteField"/>), and the ward must not have ended by then: what happens from a
    /// merger on is the successor's. A ward that was not looked up (null) takes nothing.
    /// </summary>
    public static FieldErrors CheckWard(this FieldErrors errors, RecordingWard? ward, DateTimeOffset? at, string timeField, string? siteWard, string siteField = "place.siteId")
    {
        if (ward is null)
        {
            return errors.Check(false, "ward", "The ward this record goes to is not known here.");
        }

        return errors
            .Check(
                siteWard is null || siteWard == ward.Id,
                siteField,
                $"The site is in ward '{siteWard}', not '{ward.Id}': record it in ward '{siteWard}' (ward={siteWard}).")
            .Check(
                at is null || ward.EndsAt is not { } end || at < end,
                timeField,
                ward.MergedInto is { } successor
                    ? $"{Ended(ward)}: what happened from then on is recorded in {successor}."
                    : $"{Ended(ward)}: nothing from then on is recorded in it.");
    }

    /// <summary>How a ward ended, as problems and statistics say it (<c>quang-thang was merged into dong-quang on 2025-07-01</c>); null while it exists.</summary>
    public static string? Ended(RecordingWard ward)
    {
        if (ward.EndedOn is not { } ended)
        {
            return null;
        }

        var on = ended.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return ward.MergedInto is { } successor ? $"{ward.Id} was merged into {successor} on {on}" : $"{ward.Id} was dissolved on {on}";
    }
}
