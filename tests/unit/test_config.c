/* The strategy config loader: defaults, every key's range refused with key, value and range, unknown keys
 * and sections, types, cross-key rules, skipped daemon sections; a refused config changes nothing. */
#include "app/config.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <string.h>

static char err[1024];

static int parse(const char *json, eb_config_t *c)
{
    err[0] = '\0';
    return eb_config_parse_text(json, c, err, sizeof err);
}

TEST(defaults)
{
    eb_config_t c, d;
    eb_config_default(&d);
    c = d;
    CHECK_EQ_INT(parse("{}", &c), 0);
    CHECK(memcmp(&c, &d, sizeof c) == 0);
    const eb_engine_config_t *e = &c.pipeline.engine;
    CHECK_NEAR(e->sizing.risk_per_trade, 0.01, 0);
    CHECK_NEAR(e->risk_exposition, 0.03, 0);
    CHECK_NEAR(e->min_multiplier, 1.0, 0);
    CHECK_NEAR(e->max_multiplier, 1.5, 0);
    CHECK_EQ_INT(c.pipeline.atr_window, 252);
    CHECK_NEAR(e->breakers.limit[0], 0.05, 0);
    CHECK_NEAR(e->breakers.limit[1], 0.10, 0);
    CHECK_NEAR(e->breakers.limit[2], 0.15, 0);
    CHECK_NEAR(e->breakers.auto_reset, 0.5, 0);
    CHECK_NEAR(e->breakers.breakeven_alert, 0.5, 0);
    CHECK_EQ_INT(e->limits.max_trades_per_day, 15);
    CHECK_EQ_INT(e->limits.min_seconds_between_trades, 180);
    CHECK_NEAR(e->limits.min_confidence, 0.60, 0);
    CHECK_NEAR(e->limits.max_daily_loss, 150, 0);
    CHECK_NEAR(e->limits.max_position_pct, 0.30, 0);
    CHECK_NEAR(e->costs.slippage_bps, 10, 0);
    CHECK_NEAR(e->costs.fee_bps, 5, 0);
    CHECK_NEAR(e->costs.stop_extreme_fraction, 0, 0);
    CHECK_NEAR(e->costs.entry_gap_bps, 50, 0);
    CHECK_NEAR(c.maker_fee_bps, 5, 0);
    CHECK_EQ_INT(e->allow_short, 0);
    CHECK_EQ_INT(e->master_switch, 1);
    CHECK_EQ_INT(c.pipeline.features.kijun, 26);
    CHECK(isnan(c.threshold_buy));
}

TEST(full_config)
{
    eb_config_t c;
    eb_config_default(&c);
    const char *json =
        "{\"strategy\":\"ichi-v2\",\"features\":{\"tenkan\":8,\"kijun\":28},"
        "\"signal\":{\"threshold_buy\":0.55,\"threshold_sell\":null},"
        "\"risk\":{\"risk_per_trade\":0.02,\"sizing\":\"kelly\",\"kelly_win_rate\":0.45,\"max_open_positions\":3,"
        "\"partial_exit\":true,\"partial_exit_r\":2,\"master_switch\":false,\"historical_atr_window\":100},"
        "\"breakers\":{\"daily\":0.04},\"limits\":{\"max_daily_loss\":0,\"min_confidence\":0.5},"
        "\"costs\":{\"taker_fee_bps\":4,\"slippage_bps\":2,\"stop_extreme_fraction\":0.25,\"entry_gap_bps\":20},"
        "\"venue\":{\"type\":\"futures\",\"symbol\":\"ETHUSDT\",\"leverage\":3,\"lot_step\":0.001,\"min_notional\":5},"
        "\"backtest\":{\"initial_capital\":5000,\"bar_interval_ms\":300000,\"flatten_at_end\":false},"
        "\"appliance\":{\"anything\":1},\"exchange\":[],\"http\":{},\"notify\":{},\"lifecycle\":{}}";
    CHECK_EQ_INT(parse(json, &c), 0);
    CHECK_EQ_STR(err, "");
    const eb_engine_config_t *e = &c.pipeline.engine;
    CHECK_EQ_STR(e->strategy, "ichi-v2");
    CHECK_EQ_INT(c.pipeline.features.tenkan, 8);
    CHECK_NEAR(c.threshold_buy, 0.55, 0);
    CHECK(isnan(c.threshold_sell));
    CHECK_NEAR(e->sizing.risk_per_trade, 0.02, 0);
    CHECK_EQ_INT(e->sizing.method, EB_SIZING_KELLY);
    CHECK_EQ_INT(e->max_open_positions, 3);
    CHECK_EQ_INT(e->partial_exit, 1);
    CHECK_EQ_INT(e->master_switch, 0);
    CHECK_EQ_INT(c.pipeline.atr_window, 100);
    CHECK_NEAR(e->breakers.limit[0], 0.04, 0);
    CHECK_NEAR(e->limits.max_daily_loss, 0, 0);
    CHECK_NEAR(e->costs.fee_bps, 4, 0);
    CHECK_NEAR(e->costs.slippage_bps, 2, 0);
    CHECK_NEAR(e->costs.stop_extreme_fraction, 0.25, 0);
    CHECK_NEAR(e->costs.entry_gap_bps, 20, 0);
    CHECK_EQ_INT(e->allow_short, 1);
    CHECK_EQ_STR(c.symbol, "ETHUSDT");
    CHECK_NEAR(e->venue.leverage, 3, 0);
    CHECK_NEAR(e->initial_capital, 5000, 0);
    CHECK_EQ_INT(c.bar_interval_ms, 300000);
    CHECK_EQ_INT(c.flatten_at_end, 0);
    eb_signal_params_t s;
    eb_signal_params_default(&s);
    s.threshold_sell = 0.45;
    eb_config_apply_signal(&c, &s);
    CHECK_NEAR(s.threshold_buy, 0.55, 0);
    CHECK_NEAR(s.threshold_sell, 0.45, 0); /* null keeps the model's */
}

typedef struct {
    const char *json, *want;
} bad_t;

/* Every range, from both sides, plus types and names: the message names key, value and the range. */
static const bad_t bad[] = {
    {"{\"risk\":{\"risk_per_trade\":0.0009}}", "risk.risk_per_trade: 0.0009 is outside the allowed range 0.001..0.05"},
    {"{\"risk\":{\"risk_per_trade\":1}}", "risk.risk_per_trade: 1 is outside the allowed range 0.001..0.05"},
    {"{\"risk\":{\"risk_exposition\":0.3}}", "risk.risk_exposition: 0.3 is outside the allowed range 0.001..0.25"},
    {"{\"risk\":{\"risk_exposition\":0}}", "risk.risk_exposition: 0 is outside the allowed range"},
    {"{\"risk\":{\"min_multiplier\":0.05}}", "risk.min_multiplier: 0.05 is outside the allowed range 0.1..10"},
    {"{\"risk\":{\"max_multiplier\":11}}", "risk.max_multiplier: 11 is outside the allowed range"},
    {"{\"risk\":{\"historical_atr_window\":19}}", "risk.historical_atr_window: 19 is outside the allowed range 20..2000"},
    {"{\"risk\":{\"historical_atr_window\":2001}}", "risk.historical_atr_window: 2001 is outside"},
    {"{\"risk\":{\"historical_atr_window\":252.5}}", "risk.historical_atr_window: 252.5 is not a whole number"},
    {"{\"risk\":{\"fixed_fraction\":1.5}}", "risk.fixed_fraction: 1.5 is outside the allowed range 0.001..1"},
    {"{\"risk\":{\"volatility_target\":0.06}}", "risk.volatility_target: 0.06 is outside"},
    {"{\"risk\":{\"kelly_win_rate\":1}}", "risk.kelly_win_rate: 1 is outside the allowed range 0.01..0.99"},
    {"{\"risk\":{\"kelly_payoff\":0}}", "risk.kelly_payoff: 0 is outside"},
    {"{\"risk\":{\"max_open_positions\":0}}", "risk.max_open_positions: 0 is outside the allowed range 1..8"},
    {"{\"risk\":{\"max_open_positions\":9}}", "risk.max_open_positions: 9 is outside the allowed range 1..8"},
    {"{\"risk\":{\"partial_exit_r\":0.4}}", "risk.partial_exit_r: 0.4 is outside the allowed range 0.5..10"},
    {"{\"risk\":{\"partial_exit_fraction\":1}}", "risk.partial_exit_fraction: 1 is outside"},
    {"{\"breakers\":{\"daily\":0.6}}", "breakers.daily: 0.6 is outside the allowed range 0.005..0.5"},
    {"{\"breakers\":{\"weekly\":0}}", "breakers.weekly: 0 is outside"},
    {"{\"breakers\":{\"monthly\":0.95}}", "breakers.monthly: 0.95 is outside"},
    {"{\"breakers\":{\"auto_reset_threshold\":1}}", "breakers.auto_reset_threshold: 1 is outside the allowed range 0.05..0.95"},
    {"{\"breakers\":{\"breakeven_alert_threshold\":0}}", "breakers.breakeven_alert_threshold: 0 is outside"},
    {"{\"limits\":{\"max_trades_per_day\":0}}", "limits.max_trades_per_day: 0 is outside the allowed range 1..1000"},
    {"{\"limits\":{\"min_seconds_between_trades\":-1}}", "limits.min_seconds_between_trades: -1 is outside the allowed range 0..86400"},
    {"{\"limits\":{\"min_confidence\":1.1}}", "limits.min_confidence: 1.1 is outside the allowed range 0..1"},
    {"{\"limits\":{\"max_daily_loss\":-5}}", "limits.max_daily_loss: -5 is outside the allowed range 0..1000000000000"},
    {"{\"limits\":{\"max_position_pct\":0}}", "limits.max_position_pct: 0 is outside the allowed range 0.01..1"},
    {"{\"costs\":{\"taker_fee_bps\":101}}", "costs.taker_fee_bps: 101 is outside the allowed range 0..100"},
    {"{\"costs\":{\"maker_fee_bps\":-1}}", "costs.maker_fee_bps: -1 is outside"},
    {"{\"costs\":{\"slippage_bps\":501}}", "costs.slippage_bps: 501 is outside the allowed range 0..500"},
    {"{\"costs\":{\"stop_extreme_fraction\":-0.1}}", "costs.stop_extreme_fraction: -0.1 is outside the allowed range 0..1"},
    {"{\"costs\":{\"stop_extreme_fraction\":1.01}}", "costs.stop_extreme_fraction: 1.01 is outside the allowed range 0..1"},
    {"{\"costs\":{\"entry_gap_bps\":1001}}", "costs.entry_gap_bps: 1001 is outside the allowed range 0..1000"},
    {"{\"venue\":{\"lot_step\":0}}", "venue.lot_step: 0 is outside"},
    {"{\"venue\":{\"min_notional\":-1}}", "venue.min_notional: -1 is outside"},
    {"{\"venue\":{\"type\":\"futures\",\"leverage\":21}}", "venue.leverage: 21 is outside the allowed range 1..20"},
    {"{\"venue\":{\"leverage\":2}}", "venue.leverage: 2 is not allowed on spot (allowed: 1; futures: 1..20)"},
    {"{\"venue\":{\"type\":\"margin\"}}", "venue.type: \"margin\" is not allowed (allowed: spot, futures)"},
    {"{\"venue\":{\"symbol\":\"btc/usdt\"}}", "venue.symbol: \"btc/usdt\" is not allowed"},
    {"{\"backtest\":{\"initial_capital\":0}}", "backtest.initial_capital: 0 is outside the allowed range 1..1000000000000"},
    {"{\"backtest\":{\"bar_interval_ms\":1000}}", "backtest.bar_interval_ms: 1000 is outside the allowed range 0 (inferred) or 60000..604800000"},
    {"{\"backtest\":{\"flatten_at_end\":1}}", "backtest.flatten_at_end: 1 is not allowed (allowed: true or false)"},
    {"{\"signal\":{\"threshold_buy\":1.5}}", "signal.threshold_buy: 1.5 is outside the allowed range 0..1"},
    {"{\"signal\":{\"threshold_sell\":\"high\"}}", "signal.threshold_sell: \"high\" is not a number"},
    {"{\"risk\":{\"sizing\":\"martingale\"}}", "risk.sizing: \"martingale\" is not allowed (allowed: fixed_risk, fixed_fraction, volatility_target, kelly)"},
    {"{\"risk\":{\"risk_per_trade\":\"1%\"}}", "risk.risk_per_trade: \"1%\" is not a number"},
    {"{\"risk\":{\"min_multiplier\":1.4,\"max_multiplier\":1.2}}", "risk.max_multiplier: 1.2 is below risk.min_multiplier 1.4 (allowed: >= it)"},
    {"{\"risk\":{\"stop_loss_pct\":2}}", "risk.stop_loss_pct: unknown key (known: master_switch, risk_per_trade,"},
    {"{\"risk\":[]}", "risk: must be an object"},
    {"{\"strategies\":{}}", "strategies: unknown section (known: strategy, features,"},
    {"{\"strategy\":\"this name is far too long\"}", "strategy: \"this name is far too long\" is not allowed (allowed: 1..14 characters"},
    {"{\"features\":{\"kijun\":27}}", "features.kijun: 27 is not allowed (allowed: 24..28 in steps of 2)"},
    {"{\"features\":{\"rsi\":\"x\"}}", "features.rsi: \"x\" is not a whole number"},
    {"[1,2]", "config: must be a JSON object"},
    {"{\"risk\":", "config:1: not valid JSON"},
    /* the strict JSON layer (common/json_strict): cJSON alone kept the first or the last of these */
    {"{\"risk\":{\"risk_per_trade\":0.01,\"risk_per_trade\":0.04}}", "config:1: key 'risk.risk_per_trade': duplicate key"},
    {"{\"risk\":{},\n\"risk\":{\"risk_per_trade\":0.04}}", "config:2: key 'risk': duplicate key"},
    {"{\"risk\":{}} {\"risk\":{}}", "config:1: text after the JSON value"},
    {"{\"strategy\":\"ab\\u0000cd\"}", "config:1: key 'strategy': the string holds \\u0000"},
    {"{\"risk\":{\"risk_per_trade\":1e400}}", "config:1: key 'risk.risk_per_trade': 1e400 overflows a double"},
};

TEST(bad_values_refused_and_nothing_changed)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        eb_config_t c, before;
        eb_config_default(&c);
        c.pipeline.engine.sizing.risk_per_trade = 0.02; /* a non-default value that must survive */
        before = c;
        CHECK_EQ_INT(parse(bad[i].json, &c), -1);
        CHECK_MSG(strncmp(err, bad[i].want, strlen(bad[i].want)) == 0, "%s\n     got: %s\n    want: %s", bad[i].json,
                  err, bad[i].want);
        CHECK(memcmp(&c, &before, sizeof c) == 0);
    }
}

TEST(boundaries_accepted)
{
    const char *ok[] = {
        "{\"risk\":{\"risk_per_trade\":0.001}}", "{\"risk\":{\"risk_per_trade\":0.05}}",
        "{\"risk\":{\"min_multiplier\":1.5,\"max_multiplier\":1.5}}", "{\"backtest\":{\"bar_interval_ms\":0}}",
        "{\"limits\":{\"min_seconds_between_trades\":0}}", "{\"venue\":{\"type\":\"futures\",\"leverage\":20}}",
        "{\"strategy\":\"abcdefghijklmn\"}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        eb_config_t c;
        eb_config_default(&c);
        CHECK_MSG(parse(ok[i], &c) == 0, "%s: %s", ok[i], err);
    }
}

TEST(load_file)
{
    eb_config_t c;
    eb_config_default(&c);
    CHECK_EQ_INT(eb_config_load("/nonexistent/x.json", &c, err, sizeof err), -1);
    CHECK(strstr(err, "/nonexistent/x.json: No such file") == err);
    const char *path = "build/test_config_tmp.json";
    FILE *f = fopen(path, "w");
    if (!f) {
        CHECK_SKIP("cannot write under build/");
        return;
    }
    fputs("{\"limits\":{\"max_trades_per_day\":2000}}", f);
    fclose(f);
    CHECK_EQ_INT(eb_config_load(path, &c, err, sizeof err), -1);
    CHECK_EQ_STR(err, "build/test_config_tmp.json: limits.max_trades_per_day: 2000 is outside the allowed range 1..1000");
    remove(path);
    /* The shipped configs load. */
    const char *shipped[] = {"configs/paper-demo.json", "configs/binance-spot.json", "configs/binance-usdm.json",
                             "configs/preset-conservative.json", "configs/preset-aggressive.json"};
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        eb_config_default(&c);
        CHECK_MSG(eb_config_load(shipped[i], &c, err, sizeof err) == 0, "%s", err);
    }
}

int main(void)
{
    RUN(defaults);
    RUN(full_config);
    RUN(bad_values_refused_and_nothing_changed);
    RUN(boundaries_accepted);
    RUN(load_file);
    return eb_check_report();
}
