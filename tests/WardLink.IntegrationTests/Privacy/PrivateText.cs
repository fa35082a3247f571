using System.Text.Json;

namespace WardLink.IntegrationTests.Privacy;

/// <summary>
/// One row of the security document's table of who reads what: a personal or police-only text field (or measure), and
/// the marker words (or numbers) the test writes into it. Each marker is a word nothing else ever says, so finding
/// it in an answer proves that answer shows the field.
/// </summary>
public sealed record PrivateField(string Name, IReadOnlyList<string> Markers);

/// <summary>The marker words written into every personal or police-only text field, and the rows of the security document's table they belong to.</summary>
public static class PrivateText
{
    public const string TipsterName = "MkTipsterName4v";
    public const string TipsterPhone = "0912-486-357";
    public const string TipsterEmail = "mktipstermail9w@example.org";
    public const string TipsterMessage = "MkTipsterMessage7q";
    public const string PoliceReply = "MkPoliceReply3z";
    public const string TipDescription = "MkTipDescription2j";
    public const string TipPlace = "MkTipPlace8d";
    public const string TipLatitude = "19.80613579";
    public const string TipLongitude = "105.77612468";
    public const string AssessmentReason = "MkAssessmentReason5x";
    public const string IncidentDescription = "MkIncidentDescription6k";
    public const string IncidentPlace = "MkIncidentPlace1p";
    public const string SourceReference = "MkSourceReference9b";
    public const string Officer = "MkOfficerName4r";
    public const string Note = "MkIncidentNote8m";
    public const string ReclassificationReason = "MkReclassifyReason2c";
    public const string ResolutionSummary = "MkResolutionSummary7h";
    public const string ReopenReason = "MkReopenReason3n";
    public const string TeamMemberName = "MkTeamMember6y";
    public const string Observation = "MkObservationText5u";
    public const string ContactName = "MkContactName1g";
    public const string ContactPhone = "0397-215-864";
    public const string SuspensionReason = "MkSuspensionReason8t";
    public const string SiteRetirementReason = "MkSiteRetirement4w";
    public const string CameraSurvey = "MkCameraSurvey2f";
    public const string CameraDecommissioning = "MkCameraDecommission9s";
    public const string MeetingMinutes = "MkMeetingMinutes6e";
    public const string ActionItemText = "MkActionItem3a";

    /// <summary>The rows of the security document's table, by the name the table gives them.</summary>
    public static readonly IReadOnlyList<PrivateField> Fields =
    [
        new("tipster contact (name, phone, email)", [TipsterName, TipsterPhone, TipsterEmail]),
        new("tipster follow-up messages", [TipsterMessage]),
        new("police replies to the tipster", [PoliceReply]),
        new("tip description", [TipDescription]),
        new("tip place description", [TipPlace]),
        new("tip place coordinates", [TipLatitude, TipLongitude]),
        new("assessment reason", [AssessmentReason]),
        new("incident description", [IncidentDescription]),
        new("incident place description", [IncidentPlace]),
        new("source reference", [SourceReference]),
        new("assigned officer", [Officer]),
        new("incident notes", [Note]),
        new("reclassification reason", [ReclassificationReason]),
        new("resolution summary", [ResolutionSummary]),
        new("reopen reason", [ReopenReason]),
        new("patrol team members", [TeamMemberName]),
        new("patrol observation text", [Observation]),
        new("partner contact people (name, phone)", [ContactName, ContactPhone]),
        new("partner suspension reason", [SuspensionReason]),
        new("site retirement reason", [SiteRetirementReason]),
        new("camera notes (survey, decommissioning reason)", [CameraSurvey, CameraDecommissioning]),
        new("meeting minutes", [MeetingMinutes]),
        new("meeting action items", [ActionItemText]),
    ];

    public static IEnumerable<string> AllMarkers => Fields.SelectMany(row => row.Markers);

    /// <summary>
    /// The markers an answer's body shows. JSON (and NDJSON) is read as JSON, so an escaped
    /// character (<c>\u002B</c>) hides nothing; anything else is searched as it is.
    /// </summary>
    public static IReadOnlySet<string> MarkersIn(string body)
    {
        var text = TextOf(body);
        return AllMarkers.Where(marker => text.Contains(marker, StringComparison.Ordinal)).ToHashSet();
    }

    private static string TextOf(string body)
    {
        var strings = new List<string>();
        if (TryCollect(body, strings))
        {
            return string.Join('\n', strings);
        }

        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        strings.Clear();
        return lines.Length > 0 && lines.All(line => TryCollect(line, strings)) ? string.Join('\n', strings) : body;
    }

    private static bool TryCollect(string json, List<string> strings)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            Collect(document.RootElement, strings);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Collect(JsonElement element, List<string> strings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    strings.Add(property.Name);
                    Collect(property.Value, strings);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, strings);
                }

                break;
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            default:
                strings.Add(element.GetRawText());
                break;
        }
    }
}
