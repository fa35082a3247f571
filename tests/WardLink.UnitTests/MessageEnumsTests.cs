using System.Text.Json;
using CsCheck;
using MassTransit.Serialization;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The bus's JSON reads an enum only as a value the enum defines (<see cref="MessageEnums"/>), for every enum the contracts
/// carry, wherever a message carries it, and writes it as its number, as before.
/// </summary>
public sealed class MessageEnumsTests
{
    private static readonly JsonSerializerOptions Bus = BusOptions();

    /// <summary>Values no enum of the contracts defines: past the last, and below the first.</summary>
    private static readonly long[] Undefined = [999, -1];

    /// <summary>Every enum type the contracts carry, found by walking every message.</summary>
    public static TheoryData<string> ContractEnums() =>
        [.. ContractSamples.Messages.SelectMany(ContractSamples.EnumsOf).Select(slot => slot.EnumType.AssemblyQualifiedName!).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Every enum of every message, as a message and path.</summary>
    public static TheoryData<string, string> ContractSlots() =>
        [.. ContractSamples.Messages.SelectMany(message => ContractSamples.EnumsOf(message).Select(slot => (message.FullName!, slot.Path)))];

    [Fact]
    public void The_contracts_carry_enums_to_check() => Assert.NotEmpty(ContractEnums());

    [Theory]
    [MemberData(nameof(ContractEnums))]
    public void Any_number_is_read_as_the_enum_exactly_when_the_enum_defines_it(string enumTypeName)
    {
        var enumType = Type.GetType(enumTypeName, throwOnError: true)!;
        var values = Enum.GetValues(enumType).Cast<object>().Select(Convert.ToInt64).ToArray();
        var defined = values.ToHashSet();
        Gen.OneOf(Gen.Long[-1_000, 1_000], Gen.Long, Gen.Int[0, values.Length - 1].Select(index => values[index])).Sample(number =>
        {
            var json = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var type in new[] { enumType, typeof(Nullable<>).MakeGenericType(enumType) })
            {
                if (defined.Contains(number))
                {
                    Assert.Equal(Enum.ToObject(enumType, number), JsonSerializer.Deserialize(json, type, Bus));
                }
                else
                {
                    var refused = Assert.Throws<JsonException>(() => { _ = JsonSerializer.Deserialize(json, type, Bus); });
                    Assert.Contains(enumType.Name, refused.Message, StringComparison.Ordinal);
                }
            }

            var list = typeof(IReadOnlyList<>).MakeGenericType(enumType);
            if (!defined.Contains(number))
            {
                Assert.Throws<JsonException>(() => JsonSerializer.Deserialize($"[{json}]", list, Bus));
            }
        });
    }

    [Theory]
    [MemberData(nameof(ContractEnums))]
    public void A_name_a_fraction_or_anything_but_a_whole_number_is_refused(string enumTypeName)
    {
        var enumType = Type.GetType(enumTypeName, throwOnError: true)!;
        var name = Enum.GetNames(enumType)[0];
        foreach (var json in new[] { $"\"{name}\"", $"\"{JsonNamingPolicy.CamelCase.ConvertName(name)}\"", "\"0\"", "0.0", "1e0", "true", "{}", "[]" })
        {
            Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, enumType, Bus));
        }
    }

    [Theory]
    [MemberData(nameof(ContractSlots))]
    public void A_message_with_a_value_outside_an_enum_it_carries_is_refused_and_with_the_values_defined_it_reads_as_it_was_written(string messageName, string path)
    {
        var message = ContractSamples.Messages.Single(type => type.FullName == messageName);
        var slot = ContractSamples.EnumsOf(message).Single(slot => slot.Path == path);

        var sample = ContractSamples.Sample(message);
        var written = JsonSerializer.Serialize(sample, message, Bus);
        Assert.Equal(written, JsonSerializer.Serialize(JsonSerializer.Deserialize(written, message, Bus), message, Bus));

        foreach (var undefined in Undefined)
        {
            var json = JsonSerializer.Serialize(ContractSamples.Sample(message, slot, undefined), message, Bus);
            var refused = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, message, Bus));
            Assert.Contains($"{slot.EnumType.Name} has no value {undefined}", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_enum_is_written_as_its_number_as_the_services_not_yet_upgraded_read_it() =>
        Assert.Equal(("1", "999"), (JsonSerializer.Serialize(SiteKind.Gate, Bus), JsonSerializer.Serialize((SiteKind)999, Bus)));

    [Fact]
    public void A_flags_enum_reads_every_combination_of_its_values_and_no_other_bit()
    {
        for (var number = 0; number <= 256; number++)
        {
            var json = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if ((number & ~(int)(Duties.Patrol | Duties.Gate | Duties.Outreach)) == 0)
            {
                Assert.Equal((Duties)number, JsonSerializer.Deserialize<Duties>(json, Bus));
            }
            else
            {
                Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Duties>(json, Bus));
            }
        }
    }

    [Fact]
    public void Giving_the_bus_the_converter_again_changes_nothing()
    {
        MessageEnums.RefuseUndefined();
        Assert.Same(Bus, SystemTextJsonMessageSerializer.Options);
        Assert.Single(Bus.Converters, converter => converter is DefinedEnumConverter);
    }

    private static JsonSerializerOptions BusOptions()
    {
        MessageEnums.RefuseUndefined();
        return SystemTextJsonMessageSerializer.Options;
    }

    [Flags]
    public enum Duties : byte
    {
        None = 0,
        Patrol = 1,
        Gate = 2,
        Outreach = 8,
    }
}
