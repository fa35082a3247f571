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
/// (nor as its actor) withheld, in nested records, lists and maps too. Values that cannot hold free text
/// (ids, enums, whole numbers, times, flags) are shown, a map's keys and values alike; a fractional number (coordinates)
/// is withheld like text, and so is a map keyed by text. The stored data's hash is never touched, so the
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

    private sealed record PropertyPlan(string Name, bool Personal, ValuePlan? Value);

    /// <summary>
    /// What the audit does with a value other than personal data: <see cref="Withheld"/> replaces it for all but the
    /// police (text, or what holds only text); what it holds that is planned in turn (a <see cref="Record"/>'s
    /// properties, a list's <see cref="Items"/>, a map's <see cref="Values"/>) is walked wherever it is not replaced, so
    /// personal data in it is removed for the police too. A value with no plan is shown as it is.
    /// </summary>
    private sealed record ValuePlan(bool Withheld, TypePlan? Record = null, ValuePlan? Items = null, ValuePlan? Values = null)
    {
        public static readonly ValuePlan Text = new(Withheld: true);

        public bool Treats(Audience audience) =>
            (Withheld && audience != Audience.Police) || Record?.Treats(audience) == true || Items?.Treats(audience) == true || Values?.Treats(audience) == true;

        /// <summary>The value as <paramref name="audience"/> may read it: a replacement, or <paramref name="value"/> walked in place.</summary>
        public JsonNode Apply(JsonNode value, Audience audience)
        {
            if (Withheld && audience != Audience.Police)
            {
                return JsonValue.Create(AuditRedaction.Withheld);
            }

            Record?.Apply(value, audience);
            if (Items is not null && value is JsonArray items)
            {
                for (var index = 0; index < items.Count; index++)
                {
                    Replace(items[index], Items, audience, shown => items[index] = shown);
                }
            }

            if (Values is not null && value is JsonObject map)
            {
                foreach (var (key, entry) in map.ToList())
                {
                    Replace(entry, Values, audience, shown => map[key] = shown);
                }
            }

            return value;
        }

        /// <summary>Applies <paramref name="plan"/> to <paramref name="value"/> (nothing to a null), putting back what replaces it.</summary>
        public static void Replace(JsonNode? value, ValuePlan plan, Audience audience, Action<JsonNode> put)
        {
            if (value is not null && plan.Apply(value, audience) is var shown && !ReferenceEquals(shown, value))
            {
                put(shown);
            }
        }
    }

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
                if (property.IsDefined(typeof(PersonalDataAttribute)))
                {
                    plans.Add(new PropertyPlan(name, true, null));
                }
                else if (PlanOfValue(property.PropertyType, property == actor || property.IsDefined(typeof(ShownToAuditorsAttribute)), visiting) is { } value)
                {
                    plans.Add(new PropertyPlan(name, false, value));
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

        /// <summary>
        /// How a value of <paramref name="type"/> is shown; null: as it is. Text (anything that can hold it) is withheld unless
        /// <paramref name="textShown"/>; a record is planned in turn; a list as its items are, withheld whole when they are; a
        /// map's values each as they are under keys that cannot hold text (ids, enum values, numbers, times), the whole map
        /// withheld when its keys can (a name as a key is text too).
        /// </summary>
        private static ValuePlan? PlanOfValue(Type type, bool textShown, HashSet<Type> visiting)
        {
            var value = Nullable.GetUnderlyingType(type) ?? type;
            if (IsRecordLike(value))
            {
                return new ValuePlan(false, Record: For(value, visiting));
            }

            if (EntriesOf(value) is { } entries)
            {
                var values = PlanOfValue(entries.Value, textShown, visiting);
                var keysHoldText = !textShown && !CannotHoldText(entries.Key);
                return keysHoldText || values is not null ? new ValuePlan(keysHoldText, Values: values) : null;
            }

            if (ElementOf(value) is { } element)
            {
                return PlanOfValue(element, textShown, visiting) is { } items ? new ValuePlan(items.Withheld, Items: items) : null;
            }

            return textShown || CannotHoldText(value) ? null : ValuePlan.Text;
        }

        /// <summary>Whether <see cref="Apply"/> can change anything of this type for <paramref name="audience"/>.</summary>
        public bool Treats(Audience audience) => Properties.Any(property => property.Personal || property.Value!.Treats(audience));

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

                if (property.Personal)
                {
                    target[property.Name] = Redacted;
                }
                else
                {
                    ValuePlan.Replace(value, property.Value!, audience, shown => target[property.Name] = shown);
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

        /// <summary>The key and value types of a map (written as a JSON object); null for anything else.</summary>
        private static (Type Key, Type Value)? EntriesOf(Type type) =>
            type.GetInterfaces().Append(type)
                .FirstOrDefault(candidate => candidate.IsGenericType
                    && (candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>) || candidate.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
                ?.GetGenericArguments() is [var key, var value] ? (key, value) : null;

        private static Type? ElementOf(Type type) =>
            type == typeof(string) ? null
            : type.IsArray ? type.GetElementType()
            : type.GetInterfaces().Append(type)
                .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                ?.GetGenericArguments()[0];
    }
}
