using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>
/// The deliveries a partner's endpoint receives, as the OpenAPI document's <c>webhooks</c> (OpenAPI 3.1): one per event type,
/// keyed by its dotted name (<c>incident.reported</c>), a <c>POST</c> whose body is <c>{ type, timestamp, data }</c> with the
/// type's data, signed with the Standard Webhooks headers, so a partner generates its receiver from the document as it
/// generates its client.
/// </summary>
public static class WebhookDocument
{
    /// <summary>Each event type's data and when it is sent (docs/partners.md's table).</summary>
    private static readonly Dictionary<WebhookEventType, (Type Data, string When)> Events = new()
    {
        [WebhookEventType.IncidentReported] = (typeof(IncidentReportedNotice), "An incident is reported at one of the partner's sites."),
        [WebhookEventType.IncidentResolved] = (typeof(IncidentResolvedNotice), "An incident at one of the partner's sites resolves."),
        [WebhookEventType.TipReferred] = (typeof(TipReferredNotice), "A tip the partner submitted is referred to an incident (siteId: one of its own sites, else null)."),
        [WebhookEventType.TipOutcomeRecorded] = (typeof(TipOutcomeNotice), "The case a tip the partner submitted contributed to resolves."),
        [WebhookEventType.ShiftMissed] = (typeof(ShiftMissedNotice), "A planned shift whose route passes the partner's sites was missed (siteIds: its own only)."),
        [WebhookEventType.CameraApproved] = (typeof(CameraNotice), "A camera at one of the partner's sites is approved."),
        [WebhookEventType.CameraInstalled] = (typeof(CameraNotice), "A camera at one of the partner's sites is installed."),
        [WebhookEventType.CameraDecommissioned] = (typeof(CameraNotice), "A camera at one of the partner's sites is decommissioned."),
        [WebhookEventType.ActionItemOverdue] = (typeof(ActionItemOverdueNotice), "An action item the partner owns passes its due date unfinished."),
    };

    /// <summary>One signature: <c>v1,</c> and the base64 of an HMAC-SHA256 (32 bytes: 44 characters).</summary>
    private static readonly (int Length, string Pattern) Signature = (3 + 44, "v1,[A-Za-z0-9+/]{43}=");

    /// <summary>The Standard Webhooks headers every delivery carries, and the trace it continues.</summary>
    private static readonly (string Name, bool Required, int MaxLength, string Pattern, string Description)[] Headers =
    [
        ("webhook-id", true, 36, "^msg_[0-9a-f]{32}$", "The delivery's id, the same on every attempt, replay and resume: drop a repeat by it."),
        ("webhook-timestamp", true, 19, "^[1-9][0-9]{0,18}$", "When this attempt was signed, in seconds since 1970 (UTC): refuse one far from your clock."),
        ("webhook-signature", true, (Signature.Length * (1 + Webhook.MaxReplacedSecrets)) + Webhook.MaxReplacedSecrets, $"^{Signature.Pattern}( {Signature.Pattern}){{0,{Webhook.MaxReplacedSecrets}}}$",
            "HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\" under the webhook's secret (base64 after whsec_), as v1,<base64>; " +
            $"while replaced secrets still sign ({Webhook.SecretOverlap.TotalHours:0} hours after a rotation, at most {Webhook.MaxReplacedSecrets}), one signature per secret, separated by spaces: accept the delivery when one verifies."),
        ("traceparent", false, 55, "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", "The W3C trace context of the attempt, a child of the event's trace."),
    ];

    public static void Describe(OpenApiOptions options) =>
        options.AddDocumentTransformer(async (document, context, ct) =>
        {
            var sending = context.ApplicationServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
            document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>(StringComparer.Ordinal);
            foreach (var (type, (data, when)) in Events)
            {
                var name = WebhookPayload.NameOf(type);
                var timestamp = (OpenApiSchema)(await context.GetOrCreateSchemaAsync(typeof(DateTimeOffset), null, ct)).CreateShallowCopy();
                timestamp.Description = "When it happened (the event's time, not the attempt's): the same on every attempt, replay and resume. " +
                    "Deliveries come in no order (each is retried on its own): order one record's deliveries by their steps " +
                    "(reported before resolved, referred before outcomeRecorded, approved, installed, decommissioned), and those of one type by this; " +
                    "a step's time a client gave after the fact (a resolvedAt) may be earlier than the report's.";
                var described = (OpenApiSchema)(await context.GetOrCreateSchemaAsync(data, null, ct)).CreateShallowCopy();
                described.Description = "The partner's view of what happened, and no more.";
                var body = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string>(["type", "timestamp", "data"], StringComparer.Ordinal),
                    AdditionalPropertiesAllowed = false,
                    Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                    {
                        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = name, Description = "The event's type, dotted." },
                        ["timestamp"] = timestamp,
                        ["data"] = described,
                    },
                };
                document.Webhooks[name] = new OpenApiPathItem
                {
                    Operations = new Dictionary<HttpMethod, OpenApiOperation>
                    {
                        [HttpMethod.Post] = new()
                        {
                            OperationId = $"{type}Webhook",
                            Summary = when,
                            Description = $"Sent to each active webhook of the partner whose events name {JsonNamingPolicy.CamelCase.ConvertName(type.ToString())}: the partner's view of what happened and no more (docs/partners.md). " +
                                "Deliveries come in no order: each is retried on its own, so a later event may arrive first; drop a repeat by webhook-id and order one record's by its steps (reported before resolved, referred before an outcome), not by the body's timestamp alone, which a step recorded after the fact may give earlier (docs/partners.md). " +
                                $"Only these {Events.Count} events are sent: a record's later changes (an incident reopened or reclassified, and so a tip's outcome withdrawn) are not, so read the record before acting on what a delivery said.",
                            Parameters = [.. Headers.Select(header => (IOpenApiParameter)new OpenApiParameter
                            {
                                Name = header.Name,
                                In = ParameterLocation.Header,
                                Required = header.Required,
                                Description = header.Description,
                                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = header.MaxLength, Pattern = header.Pattern },
                            })],
                            RequestBody = new OpenApiRequestBody
                            {
                                Required = true,
                                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = body } },
                            },
                            Responses = new OpenApiResponses
                            {
                                ["2XX"] = new OpenApiResponse
                                {
                                    Description = $"Received, within {Said(sending.Timeout)}: the delivery is done (the first 500 characters of the answer are kept in its log).",
                                },
                                ["default"] = new OpenApiResponse
                                {
                                    Description = $"Not received (a redirect too: none is followed; nor an answer later than {Said(sending.Timeout)}): retried after " +
                                        $"{Said(sending.FirstRetryAfter / 2)} to {Said(sending.FirstRetryAfter)}, each next delay doubling up to {Said(sending.MaxRetryInterval)} " +
                                        $"(each between half and all of it), for {Said(sending.RetryFor)}; then the webhook is disabled.",
                                },
                            },
                            Security = [],
                        },
                    },
                };
            }
        });

    /// <summary>A setting's time as the document says it: <c>5 s</c>, <c>1.5 s</c>, <c>10 min</c>, <c>24 h</c>.</summary>
    private static string Said(TimeSpan time) =>
        time.TotalHours >= 1 && time.TotalHours % 1 == 0 ? $"{time.TotalHours:0} h"
        : time.TotalMinutes >= 1 && time.TotalMinutes % 1 == 0 ? $"{time.TotalMinutes:0} min"
        : $"{time.TotalSeconds:0.###} s";

    /// <summary>Adds <see cref="Describe"/> to the service's document.</summary>
    public static IServiceCollection AddWebhookDocument(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>(ApiDescription.DocumentName, Describe);
}
