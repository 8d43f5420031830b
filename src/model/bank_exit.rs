//! What becomes of a firm's allowances when its covering market changes (MODEL.md 7.8): the
//! rule of the market the allowances were issued by (`markets[].bank_on_exit`). Pure: no
//! ECS, no I/O. Units: t CO2 of the market named.

use crate::config::kinds::BankOnExit;
use crate::model::agents::firm::Account;

/// The exit rule of one market as a firm leaving it in `year` sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExitRule {
    /// What becomes of the bank.
    pub on_exit: BankOnExit,
    /// t of the next market's allowances per t of this one's (`Convert`).
    pub rate: f64,
    /// Whether the market has closed for good (past its last year): a kept bank is then
    /// worthless and is cancelled.
    pub closed: bool,
}

/// Moves the firm's allowances from its market last year `old` to this year's `new`
/// (`rule(m)` gives market `m`'s rule) and records the moves in `acc`: `bank_exit` (left
/// the old market's bank), `bank_entry` (entered the new market's bank, by conversion or
/// by dormant allowances returning to their market), `bank_exit_cancelled` and the dormant
/// holding. Steps:
///
/// 1. a firm that changes market takes its bank out of the old market;
/// 2. a dormant holding of the new market returns to it 1:1; one of a converting market is
///    converted into it;
/// 3. the bank taken out follows the old market's rule: cancelled; converted into the new
///    market (dormant if there is none); or kept dormant (cancelled if the market has
///    closed). A firm holds one dormant holding: an older one of another market is
///    cancelled;
/// 4. a kept dormant holding of a market that has closed is cancelled.
pub fn change_market(
    acc: &mut Account,
    old: Option<u16>,
    new: Option<u16>,
    rule: impl Fn(u16) -> ExitRule,
) {
    acc.bank_exit = 0.0;
    acc.bank_entry = 0.0;
    acc.bank_exit_cancelled = 0.0;
    let leaving = match old {
        Some(o) if new != old => {
            let b = std::mem::take(&mut acc.bank);
            acc.bank_exit = b;
            (b > 0.0).then_some((o, b))
        }
        _ => None,
    };
    if let (Some(n), Some(d)) = (new, acc.dormant_market)
        && acc.dormant > 0.0
    {
        let r = rule(d);
        let carry = if d == n {
            Some(1.0)
        } else {
            (r.on_exit == BankOnExit::Convert).then_some(r.rate)
        };
        if let Some(rate) = carry {
            let x = std::mem::take(&mut acc.dormant) * rate;
            acc.dormant_market = None;
            acc.bank += x;
            acc.bank_entry += x;
        }
    }
    if let Some((o, b)) = leaving {
        let r = rule(o);
        let cancel = match r.on_exit {
            BankOnExit::Cancel => true,
            BankOnExit::Keep => r.closed,
            BankOnExit::Convert => false,
        };
        if cancel {
            acc.bank_exit_cancelled += b;
        } else if r.on_exit == BankOnExit::Convert && new.is_some() {
            let x = b * r.rate;
            acc.bank += x;
            acc.bank_entry += x;
        } else {
            park(acc, o, b);
        }
    }
    if let Some(d) = acc.dormant_market {
        let r = rule(d);
        if r.on_exit == BankOnExit::Keep && r.closed {
            acc.bank_exit_cancelled += std::mem::take(&mut acc.dormant);
            acc.dormant_market = None;
        }
    }
}

/// Holds `b` t of market `m` dormant; an older holding of another market is cancelled.
fn park(acc: &mut Account, m: u16, b: f64) {
    if acc.dormant_market.is_some_and(|d| d != m) {
        acc.bank_exit_cancelled += acc.dormant;
        acc.dormant = 0.0;
    }
    acc.dormant += b;
    acc.dormant_market = Some(m);
}

#[cfg(test)]
mod tests {
    use super::*;

    const PILOT: u16 = 1;
    const NATIONAL: u16 = 0;

    fn rules(pilot: BankOnExit, closed: bool) -> impl Fn(u16) -> ExitRule {
        move |m| ExitRule {
            on_exit: if m == PILOT { pilot } else { BankOnExit::Keep },
            rate: 0.5,
            closed: m == PILOT && closed,
        }
    }

    fn with_bank(b: f64) -> Account {
        Account {
            bank: b,
            ..Account::default()
        }
    }

    #[test]
    fn a_firm_that_stays_keeps_its_bank() {
        let mut a = with_bank(10.0);
        change_market(
            &mut a,
            Some(PILOT),
            Some(PILOT),
            rules(BankOnExit::Cancel, false),
        );
        assert_eq!((a.bank, a.bank_exit, a.bank_entry), (10.0, 0.0, 0.0));
    }

    #[test]
    fn cancel_convert_and_keep_move_the_bank_as_documented() {
        // Cancel: 10 t leave the pilot and are cancelled; nothing enters the national bank.
        let mut a = with_bank(10.0);
        change_market(
            &mut a,
            Some(PILOT),
            Some(NATIONAL),
            rules(BankOnExit::Cancel, false),
        );
        assert_eq!(
            (a.bank, a.bank_exit, a.bank_exit_cancelled),
            (0.0, 10.0, 10.0)
        );
        // Convert at 0.5: 10 pilot t become 5 national t.
        let mut a = with_bank(10.0);
        change_market(
            &mut a,
            Some(PILOT),
            Some(NATIONAL),
            rules(BankOnExit::Convert, false),
        );
        assert_eq!((a.bank, a.bank_exit, a.bank_entry), (5.0, 10.0, 5.0));
        assert_eq!(a.bank_exit_cancelled, 0.0);
        // Keep: 10 pilot t dormant while in the national market, back 1:1 on return.
        let mut a = with_bank(10.0);
        change_market(
            &mut a,
            Some(PILOT),
            Some(NATIONAL),
            rules(BankOnExit::Keep, false),
        );
        assert_eq!(
            (a.bank, a.dormant, a.dormant_market),
            (0.0, 10.0, Some(PILOT))
        );
        a.bank = 3.0;
        change_market(
            &mut a,
            Some(NATIONAL),
            Some(PILOT),
            rules(BankOnExit::Keep, false),
        );
        // The national 3 t go dormant in turn (national keeps); the pilot 10 t return.
        assert_eq!((a.bank, a.bank_entry, a.bank_exit), (10.0, 10.0, 3.0));
        assert_eq!((a.dormant, a.dormant_market), (3.0, Some(NATIONAL)));
        // Convert with no next market: dormant, converted when the firm enters one.
        let mut a = with_bank(10.0);
        change_market(&mut a, Some(PILOT), None, rules(BankOnExit::Convert, false));
        assert_eq!((a.bank, a.dormant), (0.0, 10.0));
        change_market(
            &mut a,
            None,
            Some(NATIONAL),
            rules(BankOnExit::Convert, false),
        );
        assert_eq!((a.bank, a.bank_entry, a.dormant), (5.0, 5.0, 0.0));
    }

    #[test]
    fn a_kept_bank_of_a_closed_market_is_cancelled() {
        let mut a = with_bank(10.0);
        change_market(
            &mut a,
            Some(PILOT),
            Some(NATIONAL),
            rules(BankOnExit::Keep, true),
        );
        assert_eq!((a.bank, a.dormant, a.bank_exit_cancelled), (0.0, 0.0, 10.0));
        // Dormant from earlier, market closes later: cancelled then.
        let mut a = with_bank(10.0);
        change_market(
            &mut a,
            Some(PILOT),
            Some(NATIONAL),
            rules(BankOnExit::Keep, false),
        );
        change_market(
            &mut a,
            Some(NATIONAL),
            Some(NATIONAL),
            rules(BankOnExit::Keep, true),
        );
        assert_eq!((a.dormant, a.bank_exit_cancelled), (0.0, 10.0));
    }
}
