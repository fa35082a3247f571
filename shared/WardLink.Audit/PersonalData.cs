using System.Collections.Concurrent;
using System.Globalization;
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
/// is withheld like text, and so is a map keyed by text. Nothing is shown that the type does not declare: a stored
/// property it has no property of (by that exact name), or a value not of its property's form (text in an id, a record
/// where a list goes), is replaced by <see cref="Undeclared"/> for everyone, so data an insider added, or read as another
/// type, or kept under a property since removed, never leaves as stored. The stored data's hash is never touched, so the
/// chain still verifies. By the events' naming convention it also finds the actor (the string
/// property <c>By</c> or <c>…By</c>) and business time (<c>At</c>, else the first <c>…At</c>).
/// </summary>
public static class AuditRedaction
{
    public const string Redacted = "[personal data removed]";

    public const string Withheld = "[withheld from auditors]";

    /// <summary>What replaces, for everyone, a stored value its type does not declare, or data that is not of its type's form.</summary>
    public const string Undeclared = "[withheld: not of its type]";

    private static readonly ConcurrentDictionary<Type, TypePlan> Plans = new();

    /// <summary>
    /// <paramref name="json"/>, the stored form of a <paramref name="type"/>, as <paramref name="audience"/> may read it
    /// (<see cref="Read"/>): a new node, judged on the JSON <paramref name="json"/> writes.
    /// </summary>
    public static JsonNode? Redact(JsonNode? json, Type type, Audience audience)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return PlanOf(type).Shown(JsonSerializer.SerializeToElement(json), audience);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Undeclared);
        }
    }

    /// <summary>
    /// The stored form <paramref name="stored"/> of a <paramref name="type"/> as <paramref name="audience"/> may
    /// read it (<see cref="Redact"/>), with who did what it records (the property its
    /// <see cref="IBusinessEvent.By"/> reads, or the actor the type always names) and when (its business time, in the
    /// ward's local time: the services store their times in UTC).
    /// Parsed once, from the stored text's UTF-8 as the database sends it. Data nested deeper than the reader goes (64
    /// levels; no type nests a tenth as deep) is not of its type: <see cref="Undeclared"/>, with no actor or business time.
    /// </summary>
    public static (JsonNode? Data, string? Actor, DateTimeOffset? WardTime) Read(ReadOnlySpan<byte> stored, Type type, Audience audience)
    {
        var plan = PlanOf(type);
        JsonElement root;
        try
        {
            root = JsonElement.Parse(stored);
        }
        catch (JsonException)
        {
            return (JsonValue.Create(Undeclared), null, null);
        }

        var named = root.ValueKind == JsonValueKind.Object;
        var actor = plan.Actor is not { } by ? plan.ConstantActor
            : named && root.TryGetProperty(by, out var actorValue) && actorValue.ValueKind == JsonValueKind.String ? actorValue.GetString()
            : null;
        DateTimeOffset? at = plan.WardTime is { } time && named && root.TryGetProperty(time, out var timeValue)
            && timeValue.ValueKind == JsonValueKind.String && timeValue.TryGetDateTimeOffset(out var value) ? value.ToOffset(WardTime.Offset) : null;
        return (plan.Shown(root, audience), actor, at);
    }

    private static TypePlan PlanOf(Type type) => Plans.GetOrAdd(type, static type => TypePlan.For(type, []));

    private sealed record PropertyPlan(string Name, bool Personal, ValuePlan? Value);

    /// <summary>
    /// What the audit does with a value other than personal data: one not of the form its type gives (<see cref="Fits"/>) is
    /// replaced by <see cref="Undeclared"/> for everyone; <see cref="Withheld"/> replaces one for all but the police (text, or
    /// what holds only text); what it holds is planned in turn (a <see cref="Record"/>'s properties, a list's
    /// <see cref="Items"/>, a map's <see cref="Values"/>) and walked wherever it is not replaced, so personal data in it is
    /// removed for the police too. Each is judged on the stored JSON; the node shown is written to only where something in
    /// it is replaced, so what is shown as stored is copied as read (walking every event's node, a police reader's too, who
    /// sees most of it as stored, took the feed from 57-68 % of PostgreSQL's read to 53-56 %; 59-72 % since: docs/benchmark.md).
    /// </summary>
    private sealed record ValuePlan(bool Withheld, Func<JsonElement, bool> Fits, TypePlan? Record = null, ValuePlan? Items = null, ValuePlan? Values = null)
    {
        /// <summary>What replaces <paramref name="value"/> for <paramref name="audience"/>, or null where it is shown as <paramref name="node"/> holds it, walked in place.</summary>
        public JsonValue? Replacement(JsonElement value, Audience audience, Func<JsonNode> node)
        {
            if (MarkerOf(value, audience) is { } marker)
            {
                return JsonValue.Create(marker);
            }

            if (!ChangesWithin(value, audience))
            {
                return null;
            }

            if (Record is not null)
            {
                Record.Apply((JsonObject)node(), value, audience);
            }

            if (Items is not null)
            {
                var items = (JsonArray)node();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var at = index++;
                    if (item.ValueKind != JsonValueKind.Null && Items.Replacement(item, audience, () => items[at]!) is { } shown)
                    {
                        items[at] = shown;
                    }
                }
            }

            if (Values is not null)
            {
                var map = (JsonObject)node();
                foreach (var entry in value.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.Null && Values.Replacement(entry.Value, audience, () => map[entry.Name]!) is { } shown)
                    {
                        map[entry.Name] = shown;
                    }
                }
            }

            return null;
        }

        /// <summary>Whether anything of <paramref name="value"/> is replaced for <paramref name="audience"/>, itself or what it holds.</summary>
        public bool Changes(JsonElement value, Audience audience) => MarkerOf(value, audience) is not null || ChangesWithin(value, audience);

        /// <summary>What replaces <paramref name="value"/> whole for <paramref name="audience"/>: not of its form, or withheld; null when neither.</summary>
        private string? MarkerOf(JsonElement value, Audience audience) =>
            !Fits(value) ? Undeclared : Withheld && audience != Audience.Police ? AuditRedaction.Withheld : null;

        /// <summary>Whether anything <paramref name="value"/> holds (a record's properties, a list's items, a map's values) is replaced for <paramref name="audience"/>.</summary>
        private bool ChangesWithin(JsonElement value, Audience audience) =>
            (Record is not null && Record.Changes(value, audience))
            || (Items is not null && value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Null && Items.Changes(item, audience)))
            || (Values is not null && value.EnumerateObject().Any(entry => entry.Value.ValueKind != JsonValueKind.Null && Values.Changes(entry.Value, audience)));
    }

    private sealed class TypePlan
    {
        private static readonly TypePlan Empty = new([], null, null, null);

        private TypePlan(IReadOnlyList<PropertyPlan> properties, string? actor, string? constantActor, string? businessTime)
        {
            Properties = properties.ToDictionary(property => property.Name, StringComparer.Ordinal);
            Actor = actor;
            ConstantActor = constantActor;
            WardTime = businessTime;
        }

        /// <summary>The stored properties the type declares, by their exact stored names.</summary>
        private Dictionary<string, PropertyPlan> Properties { get; }

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
                plans.Add(property.IsDefined(typeof(PersonalDataAttribute))
                    ? new PropertyPlan(name, true, null)
                    : new PropertyPlan(name, false, PlanOfValue(property.PropertyType, property == actor || property.IsDefined(typeof(ShownToAuditorsAttribute)), visiting)));
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
        /// How a value of <paramref name="type"/> is shown. Text (anything that can hold it) is withheld unless
        /// <paramref name="textShown"/>; a record is planned in turn; a list as its items are, withheld whole when they are; a
        /// map's values each as they are under keys that cannot hold text (ids, enum values, numbers, times), the whole map
        /// withheld when its keys can (a name as a key is text too). Each only in its type's form: an object for a record or
        /// a map (whose keys read as its key type), an array for a list, a value that reads as its type for the rest.
        /// </summary>
        private static ValuePlan PlanOfValue(Type type, bool textShown, HashSet<Type> visiting)
        {
            var value = Nullable.GetUnderlyingType(type) ?? type;
            if (IsRecordLike(value))
            {
                return new ValuePlan(false, node => node.ValueKind == JsonValueKind.Object, Record: For(value, visiting));
            }

            if (EntriesOf(value) is { } entries)
            {
                var keysHoldText = !textShown && !CannotHoldText(entries.Key);
                return new ValuePlan(
                    keysHoldText,
                    node => node.ValueKind == JsonValueKind.Object && node.EnumerateObject().All(entry => ReadsAs(entries.Key, entry.Name)),
                    Values: PlanOfValue(entries.Value, textShown, visiting));
            }

            if (ElementOf(value) is { } element)
            {
                var items = PlanOfValue(element, textShown, visiting);
                return new ValuePlan(items.Withheld, node => node.ValueKind == JsonValueKind.Array, Items: items);
            }

            return new ValuePlan(!textShown && !CannotHoldText(value), node => Fits(value, node));
        }

        /// <summary>
        /// Whether <paramref name="value"/> is a value of <paramref name="type"/> (no record, list or map) as stored: text is
        /// text, an id or a time one in the form the services store it (<c>D</c>, ISO 8601), read from its UTF-8 with no string made.
        /// </summary>
        private static bool Fits(Type type, JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => type == typeof(string)
                || (type == typeof(Guid) ? value.TryGetGuid(out _)
                    : type == typeof(DateTimeOffset) || type == typeof(DateTime) ? value.TryGetDateTimeOffset(out _)
                    : ReadsAs(type, value.GetString()!)),
            JsonValueKind.Number => type.IsEnum || (type.IsPrimitive && type != typeof(bool) && type != typeof(char)) || type == typeof(decimal),
            JsonValueKind.True or JsonValueKind.False => type == typeof(bool),
            _ => false,
        };

        /// <summary>
        /// Whether <paramref name="text"/> reads as a <paramref name="type"/> (a stored string, or a map's key): an id, an enum
        /// value, a number, a time or a flag only as one; any text as text.
        /// </summary>
        private static bool ReadsAs(Type type, string text)
        {
            var value = Nullable.GetUnderlyingType(type) ?? type;
            var invariant = CultureInfo.InvariantCulture;
            return value.IsEnum ? Enum.TryParse(value, text, ignoreCase: true, out _)
                : value == typeof(Guid) ? Guid.TryParse(text, out _)
                : value == typeof(DateTimeOffset) || value == typeof(DateTime) ? DateTimeOffset.TryParse(text, invariant, out _)
                : value == typeof(DateOnly) ? DateOnly.TryParse(text, invariant, out _)
                : value == typeof(TimeOnly) ? TimeOnly.TryParse(text, invariant, out _)
                : value == typeof(TimeSpan) ? TimeSpan.TryParse(text, invariant, out _)
                : value == typeof(bool) ? bool.TryParse(text, out _)
                : value == typeof(char) ? text.Length == 1
                : value.IsPrimitive || value == typeof(decimal) ? decimal.TryParse(text, NumberStyles.Float, invariant, out _)
                : true;
        }

        /// <summary>
        /// <paramref name="json"/> as <paramref name="audience"/> may read it: a record's object, written to where something is
        /// replaced; anything else in its place (a record is stored as an object) <see cref="Undeclared"/>.
        /// </summary>
        public JsonNode? Shown(JsonElement json, Audience audience)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                return json.ValueKind == JsonValueKind.Null ? null : JsonValue.Create(Undeclared);
            }

            var record = JsonObject.Create(json)!;
            if (Changes(json, audience))
            {
                Apply(record, json, audience);
            }

            return record;
        }

        /// <summary>What of a property is replaced: null where it is shown as stored (or walked in place).</summary>
        private JsonValue? Replacement(JsonProperty stored, Audience audience, Func<JsonNode> node) =>
            !Properties.TryGetValue(stored.Name, out var property) ? JsonValue.Create(Undeclared)
            : stored.Value.ValueKind == JsonValueKind.Null ? null
            : property.Personal ? JsonValue.Create(Redacted)
            : property.Value!.Replacement(stored.Value, audience, node);

        /// <summary>Whether anything of the stored record <paramref name="stored"/> is replaced for <paramref name="audience"/>.</summary>
        public bool Changes(JsonElement stored, Audience audience) =>
            stored.EnumerateObject().Any(property => !Properties.TryGetValue(property.Name, out var plan)
                || (property.Value.ValueKind != JsonValueKind.Null && (plan.Personal || plan.Value!.Changes(property.Value, audience))));

        /// <summary>
        /// Walks the stored properties of <paramref name="stored"/> into <paramref name="target"/> (the node read from it): each
        /// the type declares as it plans it, every other one <see cref="Undeclared"/>.
        /// </summary>
        public void Apply(JsonObject target, JsonElement stored, Audience audience)
        {
            foreach (var property in stored.EnumerateObject())
            {
                if (Replacement(property, audience, () => target[property.Name]!) is { } shown)
                {
                    target[property.Name] = shown;
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
