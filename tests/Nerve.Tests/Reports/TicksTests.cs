using Nerve.Reports;

namespace Nerve.Tests.Reports;

public class TicksTests
{
    [Theory]
    [InlineData(0.7, 0.5)]
    [InlineData(1.0, 1.0)]
    [InlineData(1.6, 2.0)]
    [InlineData(2.9, 2.0)]
    [InlineData(3.2, 5.0)]
    [InlineData(6.9, 5.0)]
    [InlineData(7.5, 10.0)]
    [InlineData(0.029, 0.02)]
    [InlineData(0.031, 0.05)]
    [InlineData(180, 200)]
    public void Nice_steps_are_1_2_or_5_times_a_power_of_ten(double rough, double expected) =>
        Assert.Equal(expected, Ticks.NiceStep(rough), 12);

    [Fact]
    public void A_0_to_100_axis_has_ticks_every_20()
    {
        var s = Ticks.Linear(0, 100);

        Assert.Equal([0, 20, 40, 60, 80, 100], s.Ticks);
        Assert.Equal(["0", "20", "40", "60", "80", "100"], s.Ticks.Select(s.Label));
        Assert.Equal(0, s.Min);
        Assert.Equal(100, s.Max);
    }

    [Fact]
    public void The_range_is_widened_outward_to_whole_steps()
    {
        var s = Ticks.Linear(83.4, 97.2);

        Assert.Equal(2, s.Step);
        Assert.Equal(82, s.Min);
        Assert.Equal(98, s.Max);
        Assert.Equal(9, s.Ticks.Count);
    }

    [Fact]
    public void Decimal_ticks_are_exact_and_labelled_with_the_step_s_decimals()
    {
        var s = Ticks.Linear(0, 0.3, 3);

        Assert.Equal([0, 0.1, 0.2, 0.3], s.Ticks);
        Assert.Equal(["0.0", "0.1", "0.2", "0.3"], s.Ticks.Select(s.Label));
    }

    [Fact]
    public void Negative_ranges_and_empty_ranges_get_ticks()
    {
        var s = Ticks.Linear(-7, 3);
        Assert.Equal([-8, -6, -4, -2, 0, 2, 4], s.Ticks);
        Assert.Equal("0", s.Label(-0.0));

        var flat = Ticks.Linear(5, 5);
        Assert.True(flat.Min < 5 && flat.Max > 5);
    }

    [Fact]
    public void Integer_ticks_never_step_below_one()
    {
        Assert.Equal([1, 2, 3], Ticks.Linear(1, 3, integers: true).Ticks);
        Assert.Equal(0.5, Ticks.Linear(1, 3).Step);
    }

    [Fact]
    public void A_log_axis_over_learning_rates_has_1_2_5_ticks_per_decade()
    {
        var s = Ticks.Log(0.01, 0.1);

        Assert.True(s.IsLog);
        Assert.Equal([0.01, 0.02, 0.05, 0.1], s.Ticks);
        Assert.Equal(["0.01", "0.02", "0.05", "0.1"], s.Ticks.Select(s.Label));
        Assert.Equal(0.5, s.Map(Math.Sqrt(0.001), 0, 1), 12);
    }

    [Fact]
    public void A_wide_log_axis_has_decades_only()
    {
        var s = Ticks.Log(0.0003, 2);

        Assert.Equal([0.0001, 0.001, 0.01, 0.1, 1, 10], s.Ticks);
    }

    [Fact]
    public void Bad_ranges_are_rejected_with_a_message()
    {
        Assert.Throws<NerveException>(() => Ticks.Log(0, 1));
        Assert.Throws<NerveException>(() => Ticks.Linear(0, double.NaN));
        Assert.Throws<NerveException>(() => Ticks.NiceStep(0));
    }
}
