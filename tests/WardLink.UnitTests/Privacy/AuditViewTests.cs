using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using WardLink.Audit;
using WardLink.Contracts;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Tips;

namespace WardLink.UnitTests.Privacy;

/// <summary>
/// The audit's views, generated over every record type of the four services and the shared code
/// (events, states and what they hold): whatever text (or fractional number, such as coordinates) is
/// written into any field, an auditor reads it only where the type names it shown to auditors (or as the
/// actor), and nobody reads personal data; every id, time and whole number, in a list or a map too (its
/// keys as well as its values), an auditor reads unless it is personal or sits in a map keyed by text.
/// A field added to any event or state later is covered without editing this test.
/// </summary>
public sealed class AuditViewTests
{
    private static readonly Assembly[] Assemblies =
    [
        typeof(TipState).Assembly, typeof(IncidentState).Assembly, typeof(ShiftState).Assembly, typeof(PartnerState).Assembly, typeof(Place).Assembly,
    ];

    private static readonly List<Type> RecordTypes =
    [
        .. Assemblies.SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.IsPublic && type.IsClass && !type.IsAbstract && !type.IsGenericTypeDefinition && type.GetMethod("<Clone>$") is not null)
            .OrderBy(type => type.FullName, StringComparer.Ordinal),
    ];

    [Fact]
    public void Every_event_and_state_type_is_walked()
    {
        Assert.Contains(typeof(TipMessagePosted), RecordTypes);
        Assert.Contains(typeof(NoteAdded), RecordTypes);
        Assert.Contains(typeof(IncidentState), RecordTypes);
        Assert.True(RecordTypes.Count > 60, $"only {RecordTypes.Count} record types found");
    }

    [Fact]
    public void An_auditor_reads_text_only_where_the_type_shows_it_and_every_id_time_and_whole_number_and_nobody_reads_personal_data()
    {
        Gen.String.Sample(
            text =>
            {
                foreach (var type in RecordTypes)
                {
                    var leaves = new List<Leaf>();
                    var json = Fill(type, type.Name, text, leaves, new Within(false, false, false), depth: 0);
                    var forAuditor = Shown(AuditRedaction.Redact(json.DeepClone(), type, Audience.Auditor));
                    var forPolice = Shown(AuditRedaction.Redact(json.DeepClone(), type, Audience.Police));
                    foreach (var leaf in leaves)
                    {
                        Assert.True(
                            forAuditor.Contains(leaf.Value) == (leaf.ShownToAuditors && !leaf.Personal),
                            $"{leaf.Path}: an auditor {(forAuditor.Contains(leaf.Value) ? "reads" : "does not read")} it");
                        Assert.True(forPolice.Contains(leaf.Value) == !leaf.Personal, $"{leaf.Path}: the police {(forPolice.Contains(leaf.Value) ? "read" : "do not read")} it");
                    }
                }
            },
            iter: 40);
    }

    /// <summary>
    /// Nothing is shown that the type does not declare, at any depth of any record type: a stored property it has no property
    /// of (an insider's extra key, a property in another letter case, a property since removed) and a value not of its
    /// property's form (a record, list or map where another goes; a text in an id, an enum, a number, a time or a flag) are
    /// read by no one, police or auditor: each is <see cref="AuditRedaction.Undeclared"/> (or, in a personal property,
    /// <see cref="AuditRedaction.Redacted"/>; to an auditor, in what is withheld whole, <see cref="AuditRedaction.Withheld"/>). Such data was read as stored, a contact's phone under <c>contactPhone</c> to
    /// auditors too.
    /// </summary>
    [Fact]
    public void Nobody_reads_a_stored_value_its_type_does_not_declare_nor_one_not_of_its_form_at_any_depth()
    {
        var leaks = new List<string>();
        var tampered = 0;
        foreach (var type in RecordTypes)
        {
            var filled = Fill(type, type.Name, "kept", [], new Within(false, false, false), depth: 0);
            foreach (var (path, tamper) in Tamperings(filled, type, type.Name))
            {
                var json = filled.DeepClone();
                var secret = $"secret\u241F{tampered++}";
                tamper(json, secret);
                foreach (var audience in new[] { Audience.Police, Audience.Auditor })
                {
                    var shown = AuditRedaction.Redact(json.DeepClone(), type, audience)!.ToJsonString();
                    if (shown.Contains(secret, StringComparison.Ordinal)
                        || !new[] { AuditRedaction.Undeclared, AuditRedaction.Redacted, AuditRedaction.Withheld }.Any(marker => shown.Contains(marker, StringComparison.Ordinal)))
                    {
                        leaks.Add($"{path} ({audience}): {shown}");
                    }
                }
            }
        }

        Assert.True(tampered > 500, $"only {tampered} tamperings");
        Assert.Empty(leaks.Take(20));
    }

    /// <summary>
    /// Every way a stored <paramref name="type"/> (<paramref name="json"/>, filled) can hold a value the type does not
    /// declare, at <paramref name="json"/> and in every record it holds, alone or in a list: a property no type has, each of
    /// its properties in another letter case, each one holding a record of undeclared properties, and each one that cannot
    /// hold text holding text. Each writes a secret where it says.
    /// </summary>
    private static IEnumerable<(string Path, Action<JsonNode, string> Tamper)> Tamperings(JsonObject json, Type type, string path)
    {
        yield return ($"{path}.\u241F", (node, secret) => node["\u241F"] = secret);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract");
        foreach (var property in properties)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var value = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var cased = char.ToUpperInvariant(name[0]) + name[1..];
            if (cased != name)
            {
                yield return ($"{path}.{cased}", (node, secret) => node[cased] = secret);
            }

            yield return ($"{path}.{name} as a record", (node, secret) => node[name] = new JsonObject { ["\u241F"] = new JsonObject { ["\u241F"] = secret } });
            if (value.IsEnum || value == typeof(Guid) || value == typeof(DateTimeOffset) || value == typeof(DateOnly) || value == typeof(TimeOnly) || value == typeof(TimeSpan)
                || value == typeof(bool) || value == typeof(int) || value == typeof(long))
            {
                yield return ($"{path}.{name} as text", (node, secret) => node[name] = $"{secret} 0912 345 678");
            }

            var element = value.GetInterfaces().FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
            var (held, within, at) = json[name] switch
            {
                JsonObject record when value.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true => (record, value, (Func<JsonNode, JsonNode>)(node => node[name]!)),
                JsonArray { Count: 1 } items when items[0] is JsonObject item && element?.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true
                    => (item, element, node => node[name]![0]!),
                _ => (null, null, null),
            };
            if (held is not null)
            {
                foreach (var (inner, tamper) in Tamperings(held, within!, $"{path}.{name}"))
                {
                    yield return (inner, (node, secret) => tamper(at!(node), secret));
                }
            }
        }
    }

    /// <summary>Data nested deeper than any type (an insider's, past the 64 levels a reader goes) is read, as not of its type, by every audience of every type.</summary>
    [Fact]
    public void Data_nested_deeper_than_a_reader_goes_is_read_as_not_of_its_type()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"deep\":", 100)) + "\"0912 345 678\"" + new string('}', 100);
        foreach (var type in RecordTypes)
        {
            foreach (var audience in new[] { Audience.Police, Audience.Auditor })
            {
                var (data, actor, wardTime) = AuditRedaction.Read(System.Text.Encoding.UTF8.GetBytes(deep), type, audience);
                Assert.Equal((AuditRedaction.Undeclared, null, null), (data!.GetValue<string>(), actor, wardTime));
            }
        }
    }

    /// <summary>When each tip was unlinked, by tip id: ids and times, which audit.md promises an auditor reads.</summary>
    [Fact]
    public void An_incident_s_unlink_times_by_tip_are_shown_to_an_auditor()
    {
        var tip = Guid.Parse("0190c6a1-0000-7000-8000-0000000000aa");
        var at = new DateTimeOffset(2024, 5, 2, 21, 40, 0, TimeSpan.FromHours(7));
        var state = IncidentDecisionTests.UnderInvestigation().Apply(new TipUnlinked(Guid.NewGuid(), tip, at, "police-desk"));
        var stored = JsonSerializer.SerializeToUtf8Bytes(state, JsonSerializerOptions.Web);

        var (shown, _, _) = AuditRedaction.Read(stored, typeof(IncidentState), Audience.Auditor);

        Assert.True(shown!["unlinkedAt"] is JsonObject, $"unlinkedAt: {shown["unlinkedAt"]?.ToJsonString()}");
        Assert.Equal(at, shown["unlinkedAt"]![tip.ToString()]!.GetValue<DateTimeOffset>());
        Assert.Equal(AuditRedaction.Withheld, shown["description"]!.GetValue<string>());
    }

    [Fact]
    public void A_note_is_withheld_from_an_auditor_while_its_ids_times_and_actor_are_shown()
    {
        var at = new DateTimeOffset(2024, 5, 2, 21, 40, 0, TimeSpan.FromHours(7));
        var note = JsonSerializer.SerializeToNode(new NoteAdded(Guid.NewGuid(), "Informant Nguyen Van A called again", at, "police-desk"), JsonSerializerOptions.Web)!;

        var shown = AuditRedaction.Redact(note, typeof(NoteAdded), Audience.Auditor)!;

        Assert.Equal(AuditRedaction.Withheld, shown["text"]!.GetValue<string>());
        Assert.Equal("police-desk", shown["by"]!.GetValue<string>());
        Assert.Equal(at, shown["at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public void A_met_duty_and_a_schedule_s_end_are_shown_to_an_auditor_in_their_states_as_in_their_events()
    {
        var at = new DateTimeOffset(2024, 5, 2, 21, 40, 0, TimeSpan.FromHours(7));
        var partnerId = Guid.NewGuid();
        var joined = PartnerState.Create(new PartnerRegistered(partnerId, "Provincial Political School", WardLink.Contracts.Partners.PartnerKind.School, at, "police-desk"))
            .Apply(new AgreementSigned(partnerId, at, [LinkageDuty.JointPatrols], at, "police-desk"));
        var met = new DutyMet(partnerId, LinkageDuty.JointPatrols, [new Uri("https://wardlink.example/minutes-of-the-seventh.pdf")], at.AddDays(3), "police-seventh");
        var created = new ScheduleCreated(
            Guid.NewGuid(), Guid.NewGuid(), ShiftKind.Patrol, [DayOfWeek.Monday], "21:00", "24:00", TeamKind.Police, [], [], new DateOnly(2024, 5, 6), at, "police-desk");
        var ended = new ScheduleEnded(created.ScheduleId, new DateOnly(2024, 12, 30), at.AddDays(5), "police-desk");

        foreach (var (value, recorded, inEvent, inState) in new[]
        {
            ("minutes-of-the-seventh", JsonSerializer.Serialize(met, JsonSerializerOptions.Web), AuditorReads(met, typeof(DutyMet)), AuditorReads(joined.Apply(met), typeof(PartnerState))),
            ("2024-05-05T21:40:00+07:00", JsonSerializer.Serialize(met, JsonSerializerOptions.Web), AuditorReads(met, typeof(DutyMet)), AuditorReads(joined.Apply(met), typeof(PartnerState))),
            ("2024-12-30", JsonSerializer.Serialize(ended, JsonSerializerOptions.Web), AuditorReads(ended, typeof(ScheduleEnded)), AuditorReads(ScheduleState.Create(created).Apply(ended), typeof(ScheduleState))),
        })
        {
            Assert.Contains(value, recorded, StringComparison.Ordinal);
            Assert.True(inEvent.Contains(value, StringComparison.Ordinal) == inState.Contains(value, StringComparison.Ordinal), $"{value}: the event {inEvent}, the state {inState}");
        }

        static string AuditorReads(object recorded, Type type) =>
            AuditRedaction.Redact(JsonSerializer.SerializeToNode(recorded, type, JsonSerializerOptions.Web)!, type, Audience.Auditor)!.ToJsonString();
    }

    /// <summary>A patrol schedule's window is times of day, shown to auditors as audit.md promises times are.</summary>
    [Fact]
    public void A_schedule_s_window_is_shown_to_an_auditor()
    {
        var at = new DateTimeOffset(2024, 5, 2, 21, 40, 0, TimeSpan.FromHours(7));
        var created = new WardLink.Patrols.ScheduleCreated(
            Guid.NewGuid(), Guid.NewGuid(), WardLink.Patrols.ShiftKind.Patrol, [DayOfWeek.Monday], "21:00", "24:00", WardLink.Patrols.TeamKind.Police, [], [], new DateOnly(2024, 5, 6), at, "police-desk");

        var shown = AuditRedaction.Redact(JsonSerializer.SerializeToNode(created, JsonSerializerOptions.Web)!, typeof(WardLink.Patrols.ScheduleCreated), Audience.Auditor)!;

        Assert.Equal(("21:00", "24:00"), (shown["windowStart"]!.GetValue<string>(), shown["windowEnd"]!.GetValue<string>()));

        // The schedule's state shows its window as minutes of the day too: a struct of whole numbers, which holds no text
        // (it was withheld whole, as text is: only classes were walked field by field).
        var state = AuditRedaction.Redact(
            JsonSerializer.SerializeToNode(WardLink.Patrols.ScheduleState.Create(created), JsonSerializerOptions.Web)!, typeof(WardLink.Patrols.ScheduleState), Audience.Auditor)!;
        Assert.True(state["window"] is JsonObject, $"window: {state["window"]?.ToJsonString()}");
        Assert.Equal((21 * 60, 24 * 60), (state["window"]!["startMinute"]!.GetValue<int>(), state["window"]!["endMinute"]!.GetValue<int>()));
    }

    /// <summary>
    /// A state shows an auditor what the events it is built from show, and withholds what they withhold: every value of an event
    /// (filled with a distinct value in every field) that its state's <c>Create</c> or <c>Apply</c> keeps is read by an auditor in
    /// the state exactly where it is read in the event (an incident's reach was shown in its events and withheld in its state;
    /// the other way, a state would show what its events withhold). Walked over every state of the four services and every
    /// event it takes, followed by value, not by name (a partner's name is not its contact's).
    /// </summary>
    [Fact]
    public void A_state_shows_an_auditor_what_the_events_it_is_built_from_show_and_nothing_they_withhold()
    {
        var differences = new List<string>();
        var skipped = new List<string>();
        var followed = 0;
        foreach (var state in RecordTypes)
        {
            var takes = state.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)
                .Where(method => method.Name is "Create" or "Apply" && method.ReturnType == state && method.GetParameters() is [var only] && RecordTypes.Contains(only.ParameterType))
                .ToList();
            var first = takes.FirstOrDefault(method => method.IsStatic);
            foreach (var method in takes)
            {
                var recorded = method.GetParameters()[0].ParameterType;
                var leaves = new List<Leaf>();
                var json = Fill(recorded, recorded.Name, $"{state.Name}-{recorded.Name}", leaves, new Within(false, false, false), depth: 0);
                var before = method.IsStatic ? null : Built(first, "before");
                if ((!method.IsStatic && before is null) || Invoked(method, before, json.Deserialize(recorded, JsonSerializerOptions.Web)) is not { } built
                    || Stored(built, state) is not { } stored)
                {
                    skipped.Add($"{state.Name} {method.Name}({recorded.Name})");
                    continue;
                }

                var kept = Shown(stored);
                var inState = Shown(AuditRedaction.Redact(stored.DeepClone(), state, Audience.Auditor));
                var inEvent = Shown(AuditRedaction.Redact(json.DeepClone(), recorded, Audience.Auditor));
                foreach (var leaf in leaves.Where(leaf => kept.Contains(leaf.Value)))
                {
                    followed++;
                    if (inState.Contains(leaf.Value) != inEvent.Contains(leaf.Value))
                    {
                        differences.Add($"{leaf.Path} is {(inEvent.Contains(leaf.Value) ? "shown" : "withheld")} in the event, {(inState.Contains(leaf.Value) ? "shown" : "withheld")} in {state.Name}");
                    }
                }
            }
        }

        Assert.True(followed > 200, $"only {followed} values followed from events into states");
        Assert.Empty(differences);
        Assert.Equal(NotBuiltOfFilledText, skipped.Order(StringComparer.Ordinal));

        static object? Built(System.Reflection.MethodInfo? create, string text) =>
            create is null ? null : Invoked(create, null, Fill(create.GetParameters()[0].ParameterType, "before", text, [], new Within(false, false, false), depth: 0)
                .Deserialize(create.GetParameters()[0].ParameterType, JsonSerializerOptions.Web));

        static JsonNode? Stored(object built, Type state)
        {
            try
            {
                return JsonSerializer.SerializeToNode(built, state, JsonSerializerOptions.Web);
            }
            catch (InvalidOperationException)
            {
                // A state that reads what it holds as it writes it (a schedule's window from its times of day): not of filled text.
                return null;
            }
        }

        static object? Invoked(System.Reflection.MethodInfo method, object? target, object? argument)
        {
            try
            {
                return method.Invoke(target, [argument]);
            }
            catch (TargetInvocationException)
            {
                // An event the state cannot take as filled (a step its state's lists do not hold): followed in the other events.
                return null;
            }
        }
    }

    /// <summary>
    /// The states and events the walk cannot build of filled text, each followed elsewhere: a schedule reads its window from its
    /// times of day (<c>A_schedule_s_window_is_shown_to_an_auditor</c>, and its end,
    /// <c>A_met_duty_and_a_schedule_s_end_are_shown_to_an_auditor_in_their_states_as_in_their_events</c>), a duty is met only
    /// under an agreement that names it (the same). A state or event added that the walk cannot build fails it until it is named
    /// here with where it is followed.
    /// </summary>
    private static readonly string[] NotBuiltOfFilledText =
    [
        "PartnerState Apply(DutyMet)",
        "ScheduleState Apply(ScheduleEnded)",
        "ScheduleState Create(ScheduleCreated)",
    ];

    private sealed record Leaf(string Path, string Value, bool ShownToAuditors, bool Personal);

    /// <summary>The stored form of a <paramref name="type"/> with every text, id, time and number a distinct value (its texts made of <paramref name="text"/>).</summary>
    private static JsonObject Fill(Type type, string path, string text, List<Leaf> leaves, Within within, int depth)
    {
        var json = new JsonObject();
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract").ToList();
        var actor = properties.FirstOrDefault(property => property.PropertyType == typeof(string) && property.Name.EndsWith("By", StringComparison.Ordinal));
        foreach (var property in properties)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var shown = property == actor || property.IsDefined(typeof(ShownToAuditorsAttribute));
            var personal = property.IsDefined(typeof(PersonalDataAttribute));
            if (Value(property.PropertyType, $"{path}.{name}", text, leaves, within with { Shown = shown, Personal = within.Personal || personal }, depth) is { } value)
            {
                json[name] = value;
            }
        }

        return json;
    }

    /// <summary>
    /// Where a value sits: in a property whose text is <see cref="Shown"/> to auditors, inside something
    /// <see cref="Personal"/>, or inside something <see cref="Withheld"/> from auditors whole (a map keyed by text).
    /// </summary>
    private sealed record Within(bool Shown, bool Personal, bool Withheld);

    private static JsonNode? Value(Type type, string path, string text, List<Leaf> leaves, Within within, int depth)
    {
        var value = Nullable.GetUnderlyingType(type) ?? type;
        var n = leaves.Count + 1;
        if (value == typeof(string))
        {
            return Track($"{text}\u241F{path}", textual: true);
        }

        if (value == typeof(Guid))
        {
            return Track(new Guid(n, 0, 0, new byte[8]).ToString());
        }

        if (value == typeof(DateTimeOffset) || value == typeof(DateTime))
        {
            return Track(new DateTimeOffset(2024, 5, 2, 14, 40, 0, TimeSpan.Zero).AddSeconds(n).ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (value == typeof(DateOnly))
        {
            return Track(new DateOnly(2024, 5, 2).AddDays(n).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (value == typeof(TimeOnly) || value == typeof(TimeSpan))
        {
            return Track(TimeSpan.FromSeconds(n).ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (value == typeof(double) || value == typeof(float) || value == typeof(decimal))
        {
            var leaf = new Leaf(path, (0.5 + (n / 1e6)).ToString("R", System.Globalization.CultureInfo.InvariantCulture), within.Shown && !within.Withheld, within.Personal);
            leaves.Add(leaf);
            return JsonValue.Create(double.Parse(leaf.Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (value == typeof(bool))
        {
            return JsonValue.Create(true);
        }

        if (value.IsEnum || value.IsPrimitive)
        {
            leaves.Add(new Leaf(path, (1000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), !within.Withheld, within.Personal));
            return JsonValue.Create(1000 + n);
        }

        if (value.GetInterfaces().Append(value).FirstOrDefault(candidate => candidate.IsGenericType && (candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>) || candidate.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))) is { } dictionary)
        {
            // A key is written as the JSON text of its value; a key that can hold text withholds the whole map unless shown.
            var (keyType, valueType) = (dictionary.GetGenericArguments()[0], dictionary.GetGenericArguments()[1]);
            var key = Value(keyType, $"{path}{{key}}", text, leaves, within, depth) switch
            {
                JsonValue written when written.TryGetValue<string>(out var name) => name,
                { } written => written.ToJsonString(),
                null => "key",
            };
            var keyedByText = (Nullable.GetUnderlyingType(keyType) ?? keyType) == typeof(string) && !within.Shown;
            return new JsonObject { [key] = Value(valueType, $"{path}[{key}]", text, leaves, within with { Withheld = within.Withheld || keyedByText }, depth) };
        }

        if (value.GetInterfaces().Append(value).FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } list)
        {
            return new JsonArray(Value(list.GetGenericArguments()[0], $"{path}[0]", text, leaves, within, depth));
        }

        // A record held by another (a place, a checkpoint, an outcome, a schedule's window): planned in turn, a few levels deep.
        return depth < 4 && (value.IsClass || value.IsValueType) && value.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true
            ? Fill(value, path, text, leaves, within, depth + 1)
            : null;

        JsonValue Track(string written, bool textual = false)
        {
            leaves.Add(new Leaf(path, written, (!textual || within.Shown) && !within.Withheld, within.Personal));
            return JsonValue.Create(written);
        }
    }

    /// <summary>Every text value left in <paramref name="json"/>, every name in it (a map's keys), and every number's JSON text.</summary>
    private static HashSet<string> Shown(JsonNode? json)
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject record:
                    foreach (var (name, child) in record)
                    {
                        texts.Add(name);
                        Walk(child);
                    }

                    break;
                case JsonArray items:
                    foreach (var item in items)
                    {
                        Walk(item);
                    }

                    break;
                case JsonValue leaf when leaf.TryGetValue<string>(out var text):
                    texts.Add(text);
                    break;
                case JsonValue number when number.GetValueKind() == JsonValueKind.Number:
                    texts.Add(number.ToJsonString());
                    break;
            }
        }

        Walk(json);
        return texts;
    }
}
