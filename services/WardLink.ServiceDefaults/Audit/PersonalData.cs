using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WardLink.ServiceDefaults.Audit;

/// <summary>
/// Marks a property of an event or a state as personal data (a name, a phone, a message a tipster
/// wrote or read): the audit endpoints and exports replace its value with <see cref="AuditRedaction.Redacted"/>.
/// On a positional record write it as <c>[property: PersonalData]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PersonalDataAttribute : Attribute;

/// <summary>
/// What the audit shows of an event or a state: its JSON (camelCase, as stored) with every
/// <see cref="PersonalDataAttribute"/> property replaced, in nested records and lists too; and,
/// by the events' naming convention, its actor (the string property <c>By</c> or <c>…By</c>) and
/// business time (the property <c>At</c>, else the first <c>…At</c>).
/// </summary>
public static class AuditRedaction
{
    public const string Redacted = "[personal data removed]";

    private static readonly ConcurrentDictionary<Type, TypePlan> Plans = new();

    /// <summary>Removes personal data from <paramref name="json"/>, the stored form of a <paramref name="type"/>.</summary>
    public static JsonNode? Redact(JsonNode? json, Type type)
    {
        PlanOf(type).Apply(json);
        return json;
    }

    /// <summary>Whether <paramref name="type"/> holds any personal data (else its JSON is shown as it is).</summary>
    public static bool HasPersonalData(Type type) => PlanOf(type).HasPersonalData;

    public static string? ActorOf(JsonNode? json, Type type) =>
        PlanOf(type).Actor is { } actor && json?[actor] is JsonValue value && value.TryGetValue<string>(out var by) ? by : null;

    public static DateTimeOffset? BusinessTimeOf(JsonNode? json, Type type) =>
        PlanOf(type).BusinessTime is { } at && json?[at] is JsonValue value && value.TryGetValue<DateTimeOffset>(out var time) ? time : null;

    private static TypePlan PlanOf(Type type) => Plans.GetOrAdd(type, static type => TypePlan.For(type, []));

    private sealed record PropertyPlan(string Name, bool Personal, TypePlan? Nested, bool IsList);

    private sealed class TypePlan
    {
        private static readonly TypePlan Empty = new([], null, null);

        private TypePlan(IReadOnlyList<PropertyPlan> properties, string? actor, string? businessTime)
        {
            Properties = properties;
            Actor = actor;
            BusinessTime = businessTime;
        }

        public IReadOnlyList<PropertyPlan> Properties { get; }

        public string? Actor { get; }

        public string? BusinessTime { get; }

        public bool HasPersonalData => Properties.Count > 0;

        public static TypePlan For(Type type, HashSet<Type> visiting)
        {
            if (!IsRecordLike(type) || !visiting.Add(type))
            {
                return Empty;
            }

            var all = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.GetIndexParameters().Length == 0).ToList();
            var plans = new List<PropertyPlan>();
            foreach (var property in all)
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                if (property.IsDefined(typeof(PersonalDataAttribute)))
                {
                    plans.Add(new PropertyPlan(name, true, null, false));
                    continue;
                }

                var element = ElementOf(property.PropertyType);
                var nested = For(element ?? property.PropertyType, visiting);
                if (nested.HasPersonalData)
                {
                    plans.Add(new PropertyPlan(name, false, nested, element is not null));
                }
            }

            visiting.Remove(type);
            var actor = all.FirstOrDefault(property => property.PropertyType == typeof(string) && property.Name.EndsWith("By", StringComparison.Ordinal));
            var times = all.Where(property => property.PropertyType == typeof(DateTimeOffset) && property.Name.EndsWith("At", StringComparison.Ordinal)).ToList();
            var businessTime = times.FirstOrDefault(property => property.Name == "At") ?? times.FirstOrDefault();
            return new TypePlan(
                plans,
                actor is null ? null : JsonNamingPolicy.CamelCase.ConvertName(actor.Name),
                businessTime is null ? null : JsonNamingPolicy.CamelCase.ConvertName(businessTime.Name));
        }

        public void Apply(JsonNode? json)
        {
            if (json is not JsonObject target)
            {
                return;
            }

            foreach (var property in Properties)
            {
                if (!target.TryGetPropertyValue(property.Name, out var value) || value is null)
                {
                    continue;
                }

                if (property.Personal)
                {
                    target[property.Name] = Redacted;
                }
                else if (property.IsList && value is JsonArray items)
                {
                    foreach (var item in items)
                    {
                        property.Nested!.Apply(item);
                    }
                }
                else
                {
                    property.Nested!.Apply(value);
                }
            }
        }

        private static bool IsRecordLike(Type type) =>
            type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true;

        private static Type? ElementOf(Type type) =>
            type == typeof(string) ? null
            : type.IsArray ? type.GetElementType()
            : type.GetInterfaces().Append(type)
                .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                ?.GetGenericArguments()[0];
    }
}
