using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CsCheck;
using WardLink.Gateway;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.UnitTests;

/// <summary>
/// Every number and time a process reads from its configuration states its bounds, and a value outside them is named,
/// with its key, among the problems that stop the process at start (deploy/README.md); the system tests start each
/// process with each value just outside.
/// </summary>
public sealed class SettingsTests
{
    private static readonly Type[] Processes = [typeof(GatewayService), typeof(IncidentsService), typeof(PatrolsService), typeof(TipsService), typeof(PartnersService)];

    private static readonly Settings.Setting[] Ruled = [.. Processes.SelectMany(ProcessSettings.Ruled).DistinctBy(setting => setting.Key)];

    private static readonly Settings.Setting[] Bounded = [.. Ruled.Where(setting => setting.Rule is RangeAttribute)];

    private static readonly Settings.Setting[] Chosen = [.. Ruled.Where(setting => setting.Rule is AllowedValuesAttribute)];

    [Fact]
    public void Every_number_and_time_a_process_reads_is_read_from_a_named_section_and_states_its_bounds()
    {
        var types = Processes.SelectMany(ProcessSettings.Types).Distinct().Where(type => ProcessSettings.Numbers(type).Any()).ToList();

        Assert.Contains(typeof(RateLimitsOptions), types);
        Assert.Contains(typeof(WebhookOptions), types);
        Assert.All(types, type =>
        {
            Assert.True(ProcessSettings.Section(type) is not null, $"{type.Name} has no Section constant naming where it is read from.");
            Assert.All(ProcessSettings.Numbers(type), path => Assert.True(
                path[^1].GetCustomAttributes(typeof(RangeAttribute), inherit: true).Length == 1,
                $"{type.Name}.{string.Join('.', path.Select(property => property.Name))} states no [Range]."));
        });
    }

    /// <summary>
    /// A value inside its setting's bounds, the edges included, is no problem; one outside them is named with its key and
    /// its value; and every default is inside its bounds (an options type with only its defaults has no bounded setting's problem;
    /// a required key, such as a sealing key, has no default). It checks the bounds as stated, not that they fit their use.
    /// </summary>
    [Fact]
    public void A_value_is_a_problem_exactly_when_it_is_outside_its_setting_s_bounds_and_the_problem_names_its_key()
    {
        Assert.NotEmpty(Bounded);
        Assert.All(Processes.SelectMany(ProcessSettings.Types).Distinct().Where(type => ProcessSettings.Section(type) is not null),
            type => Assert.Empty(OutOfBounds(Activator.CreateInstance(type)!, ProcessSettings.Section(type)!)));

        Gen.Int[0, Bounded.Length - 1].SelectMany(index => Values(Bounded[index]).Select(value => (Setting: Bounded[index], Value: value))).Sample(tried =>
        {
            var (setting, value) = tried;
            var type = setting.Path[0].DeclaringType!;
            var options = Activator.CreateInstance(type)!;
            var holder = setting.Path.SkipLast(1).Aggregate(options, (held, property) => property.GetValue(held)!);
            setting.Path[^1].SetValue(holder, value);
            var (least, most) = ProcessSettings.Edges(setting);
            var outside = value is TimeSpan time
                ? time < (TimeSpan)least || time > (TimeSpan)most
                : Convert.ToInt64(value, CultureInfo.InvariantCulture) is var number && (number < (long)least || number > (long)most);

            var problems = OutOfBounds(options, ProcessSettings.Section(type)!);

            if (outside)
            {
                var problem = Assert.Single(problems);
                Assert.StartsWith($"{setting.Key} is {Settings.Text(value)}: it must be ", problem, StringComparison.Ordinal);
            }
            else
            {
                Assert.Empty(problems);
            }
        });
    }

    /// <summary>
    /// A text with a choice of values (<c>Messaging:QueueType</c>) is a problem exactly when it is none of them, as written
    /// (another case, a space after it), and the problem names its key, its value and the choices.
    /// </summary>
    [Fact]
    public void A_text_is_a_problem_exactly_when_it_is_none_of_its_setting_s_choices_and_the_problem_names_its_key_and_the_choices()
    {
        Assert.Contains(Chosen, setting => setting.Key == "Messaging:QueueType");
        Gen.Int[0, Chosen.Length - 1].SelectMany(index =>
        {
            var choices = ((AllowedValuesAttribute)Chosen[index].Rule).Values.Select(Settings.Text).ToArray();
            var near = Gen.Int[0, choices.Length - 1].SelectMany(choice => Gen.OneOf(
                new[] { choices[choice], choices[choice].ToUpperInvariant(), $" {choices[choice]}", $"{choices[choice]} ", choices[choice][..^1] }.Select(Gen.Const).ToArray()));
            return Gen.OneOf(near, Gen.String).Select(value => (Setting: Chosen[index], Choices: choices, Value: value));
        }).Sample(tried =>
        {
            var (setting, choices, value) = tried;
            var options = Activator.CreateInstance(setting.Path[0].DeclaringType!)!;
            setting.Path[^1].SetValue(options, value);

            var problems = Settings.Problems(options, ProcessSettings.Section(options.GetType())!).ToList();

            if (choices.Contains(value, StringComparer.Ordinal))
            {
                Assert.Empty(problems);
            }
            else
            {
                Assert.Equal($"{setting.Key} is '{value}': it must be one of {string.Join(", ", choices)}.", Assert.Single(problems));
            }
        });
    }

    /// <summary>Values at and around <paramref name="setting"/>'s edges, and anywhere from below its least to twice its most.</summary>
    private static Gen<object> Values(Settings.Setting setting)
    {
        var (least, most) = ProcessSettings.Edges(setting);
        if (least is TimeSpan low && most is TimeSpan high)
        {
            return Gen.OneOf(Gen.Long[low.Ticks - 2, low.Ticks + 2], Gen.Long[high.Ticks - 2, high.Ticks + 2], Gen.Long[-high.Ticks, 2 * high.Ticks])
                .Select(ticks => (object)TimeSpan.FromTicks(ticks));
        }

        var (lowest, highest) = ((long)least, (long)most);
        return Gen.OneOf(Gen.Long[lowest - 2, lowest + 2], Gen.Long[Math.Min(highest, int.MaxValue - 2L) - 2, Math.Min(highest + 2, int.MaxValue)], Gen.Long[int.MinValue, int.MaxValue])
            .Select(number => Convert.ChangeType(number, setting.Type, CultureInfo.InvariantCulture));
    }

    /// <summary>The problems of <paramref name="options"/> that are a bounded setting's (not a required text's, say).</summary>
    private static List<string> OutOfBounds(object options, string section) =>
        [.. Settings.Problems(options, section).Where(problem => Bounded.Any(setting => problem.StartsWith($"{setting.Key} is ", StringComparison.Ordinal)))];
}
