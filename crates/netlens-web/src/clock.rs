//! The only place the UI reads the clock. The cores take `now` as an argument.

/// Current time in Unix seconds, from the browser.
pub fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}
