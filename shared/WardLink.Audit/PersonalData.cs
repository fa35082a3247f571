using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using WardLink.Domain;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Audit;

/// <summary>
/// Marks a property of an event or a state as personal data (a name, a phone, a message a tipster
/// wrote or read): the audit endpoints and exports replace its value with <see cref="AuditRedaction.Redacted"/>.
/// On a positional record write it as <c>[property: PersonalData]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PersonalDataAttribute : Attribute;

/// <summary>
/// Marks a text property an auditor may read (a tip or case number, the name of an organisation or
/// a site): every other text is withheld from auditors, since free text can name people. On a
/// positional record write it as <c>[property: ShownToAuditors]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ShownToAuditorsAttribute : Attribute;

/// <summary>
/// What the audit shows of an event or a state to an audience: its JSON (camelCase, as stored)
/// with every <see cref="PersonalDataAttribute"/> property replaced for everyone and, for anyone
/// but the police, every text the type does not name <see cref="ShownToAuditorsAttribute"/>
/// (nor as its actor) withheld, in nested records and lists too. Values that cannot hold free text
/// (ids, enums, whole numbers, times, flags) are shown; a fractional number (coordinates) is withheld like text. The stored data's hash is never touched, so the
/// chain still verifies. By the events' naming convention it also finds the actor (the string
/// property <c>By</c> or <c>…By</c>) and business time (<c>At</c>, else the first <c>…At</c>).
/// </summary>
public static class AuditRedaction
{
    public const string Redacted = "[personal data removed]";

    public const string Withheld = "[withheld from auditors]";

    private static readonly ConcurrentDictionary<Type, TypePlan> Plans = new();

    /// <summary>Removes from <paramref name="json"/>, the stored form of a <paramref name="type"/>, what <paramref name="audience"/> may not read.</summary>
    public static JsonNode? Redact(JsonNode? json, Type type, Audience audience)
    {
        PlanOf(type).Apply(json, audience);
        return json;
    }

    /// <summary>
    /// The stored form <paramref name="stored"/> of a <paramref name="type"/> as <paramref name="audience"/> may
    /// read it (<see cref="Redact"/>), with who did what it records (the property its
    /// <see cref="IBusinessEvent.By"/> reads, or the actor the type always names) and when (its business time, in the
    /// ward's local time: the services store their times in UTC).
    /// Parsed once, from the stored text's UTF-8 as the database sends it; what no treatment touches is served as
    /// stored, without building its properties one by one.
    /// </summary>
    public static (JsonNode? Data, string? Actor, DateTimeOffset? WardTime) Read(ReadOnlySpan<byte> stored, Type type, Audience audience)
    {
        var plan = PlanOf(type);
        var root = JsonElement.Parse(stored);
        var named = root.ValueKind == JsonValueKind.Object;
        var actor = plan.Actor is not { } by ? plan.ConstantActor
            : named && root.TryGetProperty(by, out var actorValue) && actorValue.ValueKind == JsonValueKind.String ? actorValue.GetString()
            : null;
        DateTimeOffset? at = plan.WardTime is { } time && named && root.TryGetProperty(time, out var timeValue)
            && timeValue.ValueKind == JsonValueKind.String && timeValue.TryGetDateTimeOffset(out var value) ? value.ToOffset(WardTime.Offset) : null;
        JsonNode? data = root.ValueKind switch
        {
            JsonValueKind.Object => JsonObject.Create(root),
            JsonValueKind.Array => JsonArray.Create(root),
            JsonValueKind.Null => null,
            _ => JsonValue.Create(root),
        };
        if (plan.Treats(audience))
        {
            plan.Apply(data, audience);
        }

        return (data, actor, at);
    }

    private static TypePlan PlanOf(Type type) => Plans.GetOrAdd(type, static type => TypePlan.For(type, []));

    private enum Treatment
    {
        /// <summary>Personal data: removed for everyone.</summary>
        Personal,

        /// <summary>Text (or anything that can hold it) the type does not show to auditors: withheld from all but the police.</summary>
        Text,

        /// <summary>A record or a list of records: planned in turn.</summary>
        Nested,
    }

    private sealed record PropertyPlan(string Name, Treatment Treatment, TypePlan? Nested, bool IsList);

    private sealed class TypePlan
    {
        private static readonly TypePlan Empty = new([], null, null, null);

        private TypePlan(IReadOnlyList<PropertyPlan> properties, string? actor, string? constantActor, string? businessTime)
        {
            Properties = properties;
            Actor = actor;
            ConstantActor = constantActor;
            WardTime = businessTime;
        }

        public IReadOnlyList<PropertyPlan> Properties { get; }

        public string? Actor { get; }

        /// <summary>The actor an event type names without storing it (the service that applied a message).</summary>
        public string? ConstantActor { get; }

        public string? WardTime { get; }

        public static TypePlan For(Type type, HashSet<Type> visiting)
        {
            if (!IsRecordLike(type) || !visiting.Add(type))
            {
                return Empty;
            }

            var all = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.GetIndexParameters().Length == 0).ToList();
            var (actor, constantActor, businessTime) = typeof(IBusinessEvent).IsAssignableFrom(type) ? BackingOf(type, all) : ByName(all);
            var plans = new List<PropertyPlan>();
            foreach (var property in all)
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                var element = ElementOf(property.PropertyType);
                var shape = element ?? property.PropertyType;
                if (property.IsDefined(typeof(PersonalDataAttribute)))
                {
                    plans.Add(new PropertyPlan(name, Treatment.Personal, null, false));
                }
                else if (IsRecordLike(shape))
                {
                    plans.Add(new PropertyPlan(name, Treatment.Nested, For(shape, visiting), element is not null));
                }
                else if (!CannotHoldText(shape) && property != actor && !property.IsDefined(typeof(ShownToAuditorsAttribute)))
                {
                    plans.Add(new PropertyPlan(name, Treatment.Text, null, false));
                }
            }

            visiting.Remove(type);
            return new TypePlan(
                plans,
                actor is null ? null : JsonNamingPolicy.CamelCase.ConvertName(actor.Name),
                constantActor,
                businessTime is null ? null : JsonNamingPolicy.CamelCase.ConvertName(businessTime.Name));
        }

        /// <summary>
        /// The stored properties an <see cref="IBusinessEvent"/> reads its actor and business time
        /// from, whatever they are called: every text and time of a blank instance gets a value of
        /// its own, and the ones <see cref="IBusinessEvent.By"/> and <see cref="IBusinessEvent.At"/>
        /// give back name them. An actor no property holds is one the type always names.
        /// </summary>
        private static (PropertyInfo? Actor, string? ConstantActor, PropertyInfo? WardTime) BackingOf(Type type, List<PropertyInfo> all)
        {
            var probe = (IBusinessEvent)RuntimeHelpers.GetUninitializedObject(type);
            var texts = all.Where(property => property.PropertyType == typeof(string) && property.CanWrite).ToList();
            var times = all.Where(property => property.PropertyType == typeof(DateTimeOffset) && property.CanWrite).ToList();
            texts.ForEach(property => property.SetValue(probe, property.Name));
            times.ForEach(property => property.SetValue(probe, DateTimeOffset.UnixEpoch.AddDays(times.IndexOf(property) + 1)));
            var actor = texts.FirstOrDefault(property => property.Name == probe.By);
            return (actor, actor is null ? probe.By : null, times.FirstOrDefault(property => (DateTimeOffset)property.GetValue(probe)! == probe.At));
        }

        /// <summary>For other stored types: the first text named <c>…By</c>, and the time named <c>At</c> or else the first named <c>…At</c>.</summary>
        private static (PropertyInfo? Actor, string? ConstantActor, PropertyInfo? WardTime) ByName(List<PropertyInfo> all)
        {
            var times = all.Where(property => property.PropertyType == typeof(DateTimeOffset) && property.Name.EndsWith("At", StringComparison.Ordinal)).ToList();
            return (
                all.FirstOrDefault(property => property.PropertyType == typeof(string) && property.Name.EndsWith("By", StringComparison.Ordinal)),
                null,
                times.FirstOrDefault(property => property.Name == "At") ?? times.FirstOrDefault());
        }

        /// <summary>Whether <see cref="Apply"/> can change anything of this type for <paramref name="audience"/>.</summary>
        public bool Treats(Audience audience) => Properties.Any(property => property.Treatment switch
        {
            Treatment.Personal => true,
            Treatment.Text => audience != Audience.Police,
            _ => property.Nested!.Treats(audience),
        });

        public void Apply(JsonNode? json, Audience audience)
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

                switch (property.Treatment)
                {
                    case Treatment.Personal:
                        target[property.Name] = Redacted;
                        break;
                    case Treatment.Text when audience != Audience.Police:
                        target[property.Name] = Withheld;
                        break;
                    case Treatment.Nested when property.IsList && value is JsonArray items:
                        foreach (var item in items)
                        {
                            property.Nested!.Apply(item, audience);
                        }

                        break;
                    case Treatment.Nested:
                        property.Nested!.Apply(value, audience);
                        break;
                }
            }
        }

        /// <summary>A record of ours, class or struct (a schedule's window of minutes), whose fields are judged one by one.</summary>
        private static bool IsRecordLike(Type type) =>
            (type.IsClass || (type.IsValueType && !type.IsEnum && !type.IsPrimitive)) && type != typeof(string)
            && type.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true;

        /// <summary>
        /// Ids, enums, whole numbers, times and flags (and their nullable forms): values no one can write a name into.
        /// A fractional number is a measure, such as a tip's coordinates, which say where as much as its place's
        /// description: it is withheld like text unless marked.
        /// </summary>
        private static bool CannotHoldText(Type type)
        {
            var value = Nullable.GetUnderlyingType(type) ?? type;
            return value.IsEnum || (value.IsPrimitive && value != typeof(double) && value != typeof(float)) || value == typeof(Guid)
                || value == typeof(DateTimeOffset) || value == typeof(DateTime) || value == typeof(DateOnly) || value == typeof(TimeOnly) || value == typeof(TimeSpan);
        }

        private static Type? ElementOf(Type type) =>
            type == typeof(string) ? null
            : type.IsArray ? type.GetElementType()
            : type.GetInterfaces().Append(type)
                .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                ?.GetGenericArguments()[0];
    }
}
