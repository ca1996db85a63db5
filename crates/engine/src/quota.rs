//! Quotas: the proportional model M × p. A TaskExecutor may hold at most floor(M × p)
//! bytes, computed exactly from the decimal `p` as written (no floating point); with
//! `slots N`, each slot `NAME.sK` may hold floor(quota / N).
//!
//! A block counts against its owner (and, for a slot, its executor) while it is live or
//! unreferenced; in pages mode it counts whole pages. Blocks with no owner have no quota,
//! and owners that are not declared executors are tracked but unlimited.

use serde::Serialize;

use crate::model::{ConfigError, ExecutorDecl, OpError};
use crate::name::Name;

/// floor(total × fraction) for a decimal fraction in [0, 1], exactly.
pub fn exact_share(total: u64, fraction: &str) -> Option<u64> {
    let (int, frac) = fraction.split_once('.').unwrap_or((fraction, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_trimmed = frac.trim_end_matches('0');
    if frac_trimmed.len() > 18 {
        return None; // keeps every product below in u128
    }
    let den = 10u128.checked_pow(frac_trimmed.len() as u32)?;
    let num_frac: u128 = if frac_trimmed.is_empty() { 0 } else { frac_trimmed.parse().ok()? };
    let num = int.checked_mul(den)?.checked_add(num_frac)?;
    if num > den {
        return None; // more than 1
    }
    // num <= den <= 10^18, so (total % den) * num < 10^36 fits in u128.
    let g = gcd(num, den);
    let (num, den) = (num / g, den / g);
    let q = (total as u128 / den) * num + (total as u128 % den) * num / den;
    u64::try_from(q).ok()
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Executor {
    pub name: Name,
    pub fraction: String,
    pub quota: u64,
    pub slots: u32,
    pub slot_quota: u64,
}

/// One owner's use against its limit, for the metrics panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerUse {
    pub owner: Name,
    pub used: u64,
    pub quota: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Owner {
    pub name: Name,
    pub executor: Option<u32>,
    pub used: u64,
}

/// Executors, owners and what each holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Quotas {
    pub executors: Vec<Executor>,
    /// Bytes held by each executor as a whole (its own blocks plus its slots').
    pub executor_used: Vec<u64>,
    pub owners: Vec<Owner>,
    /// Σp > 1: the executors together may hold more than the pool.
    pub overcommitted: bool,
}

/// Which owner, and which executor's quota, a request charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OwnerId(pub u32);

impl Quotas {
    pub fn new(pool: u64, decls: &[ExecutorDecl]) -> Result<Quotas, ConfigError> {
        let mut q = Quotas::default();
        let mut sum_num = 0u128; // Σp scaled by 10^18, to detect overcommit exactly
        for d in decls {
            if q.executors.iter().any(|e| *e.name == d.name) {
                return Err(ConfigError::DuplicateExecutor(d.name.clone()));
            }
            if d.slots == 0 {
                return Err(ConfigError::ZeroSlots(d.name.clone()));
            }
            let bad = || ConfigError::BadFraction { name: d.name.clone(), fraction: d.fraction.clone() };
            let quota = exact_share(pool, &d.fraction).ok_or_else(bad)?;
            sum_num += exact_share(1_000_000_000_000_000_000, &d.fraction).ok_or_else(bad)? as u128;
            q.executors.push(Executor {
                name: d.name.as_str().into(),
                fraction: d.fraction.clone(),
                quota,
                slots: d.slots,
                slot_quota: quota / u64::from(d.slots),
            });
            q.executor_used.push(0);
        }
        q.overcommitted = sum_num > 1_000_000_000_000_000_000;
        Ok(q)
    }

    /// Finds or creates the owner called `name`. `te1.s2` is slot 2 of executor te1 and must
    /// exist if te1 is declared.
    pub fn owner(&mut self, name: &Name) -> Result<OwnerId, OpError> {
        if let Some(i) = self.owners.iter().position(|o| o.name == *name) {
            return Ok(OwnerId(i as u32));
        }
        let executor = match self.executors.iter().position(|e| e.name == *name) {
            Some(i) => Some(i as u32),
            None => match name.rsplit_once(".s") {
                Some((ex, slot)) => match self.executors.iter().position(|e| &*e.name == ex) {
                    Some(i) => {
                        let slots = self.executors[i].slots;
                        match slot.parse::<u32>() {
                            Ok(k) if (1..=slots).contains(&k) => Some(i as u32),
                            _ => {
                                return Err(OpError::UnknownOwner {
                                    owner: name.to_string(),
                                    why: format!("executor {ex} has slots {ex}.s1 to {ex}.s{slots}"),
                                })
                            }
                        }
                    }
                    None => None,
                },
                None => None,
            },
        };
        self.owners.push(Owner { name: name.clone(), executor, used: 0 });
        Ok(OwnerId((self.owners.len() - 1) as u32))
    }

    fn is_slot(&self, id: OwnerId) -> bool {
        let o = &self.owners[id.0 as usize];
        o.executor.is_some_and(|e| self.executors[e as usize].name != o.name)
    }

    /// The owner's own limit: the executor's quota, or a slot's share.
    pub fn limit(&self, id: OwnerId) -> Option<u64> {
        let o = &self.owners[id.0 as usize];
        let e = &self.executors[o.executor? as usize];
        Some(if self.is_slot(id) { e.slot_quota } else { e.quota })
    }

    /// Fails if charging `bytes` to `id` would exceed its limit or its executor's quota.
    pub fn check(&self, id: OwnerId, bytes: u64) -> Result<(), OpError> {
        let o = &self.owners[id.0 as usize];
        let Some(ei) = o.executor else { return Ok(()) };
        let e = &self.executors[ei as usize];
        if self.is_slot(id) {
            let would = o.used + bytes;
            if would > e.slot_quota {
                return Err(OpError::Quota {
                    owner: o.name.to_string(),
                    would,
                    quota: e.slot_quota,
                    why: format!("M × {} / {} slots", e.fraction, e.slots),
                });
            }
        }
        let would = self.executor_used[ei as usize] + bytes;
        if would > e.quota {
            return Err(OpError::Quota {
                owner: e.name.to_string(),
                would,
                quota: e.quota,
                why: format!("M × {}", e.fraction),
            });
        }
        Ok(())
    }

    pub fn charge(&mut self, id: OwnerId, bytes: u64) {
        let o = &mut self.owners[id.0 as usize];
        o.used += bytes;
        if let Some(e) = o.executor {
            self.executor_used[e as usize] += bytes;
        }
    }

    pub fn refund(&mut self, id: OwnerId, bytes: u64) {
        let o = &mut self.owners[id.0 as usize];
        o.used -= bytes;
        if let Some(e) = o.executor {
            self.executor_used[e as usize] -= bytes;
        }
    }

    /// Use vs limit for every executor and every owner seen so far.
    pub fn uses(&self) -> Vec<OwnerUse> {
        let mut out: Vec<OwnerUse> = self
            .executors
            .iter()
            .zip(&self.executor_used)
            .map(|(e, &used)| OwnerUse { owner: e.name.clone(), used, quota: Some(e.quota) })
            .collect();
        for (i, o) in self.owners.iter().enumerate() {
            if self.is_slot(OwnerId(i as u32)) || o.executor.is_none() {
                out.push(OwnerUse {
                    owner: o.name.clone(),
                    used: o.used,
                    quota: self.limit(OwnerId(i as u32)),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_exact_floor() {
        assert_eq!(exact_share(60 << 20, "0.5"), Some(30 << 20));
        assert_eq!(exact_share(10, "0.33"), Some(3));
        assert_eq!(exact_share(u64::MAX, "1"), Some(u64::MAX));
        assert_eq!(exact_share(u64::MAX, "1.000"), Some(u64::MAX));
        assert_eq!(exact_share(1_000_000_007, "0.1"), Some(100_000_000));
        assert_eq!(
            exact_share(1_000_000_000_000_000_000, "0.999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        assert_eq!(exact_share(100, "0.1000000000000000000000"), Some(10));
        assert_eq!(exact_share(100, "0.1000000000000000001"), None);
        assert_eq!(exact_share(100, ".25"), Some(25));
        assert_eq!(exact_share(100, "1.5"), None);
        assert_eq!(exact_share(100, "0.5x"), None);
        assert_eq!(exact_share(100, "-0.5"), None);
        assert_eq!(exact_share(100, "."), None);
    }

    #[test]
    fn slots_share_their_executors_quota() {
        let decl = ExecutorDecl { name: "te1".into(), fraction: "0.5".into(), slots: 2 };
        let mut q = Quotas::new(100, &[decl]).unwrap();
        let s1 = q.owner(&Name::from("te1.s1")).unwrap();
        assert_eq!(q.limit(s1), Some(25));
        assert!(q.check(s1, 25).is_ok());
        assert!(matches!(q.check(s1, 26), Err(OpError::Quota { quota: 25, .. })));
        assert!(q.owner(&Name::from("te1.s3")).is_err());
        let free_owner = q.owner(&Name::from("batch")).unwrap();
        assert_eq!(q.limit(free_owner), None);
    }

    #[test]
    fn overcommit_is_detected_exactly() {
        let d = |n: &str, f: &str| ExecutorDecl { name: n.into(), fraction: f.into(), slots: 1 };
        assert!(!Quotas::new(10, &[d("a", "0.5"), d("b", "0.5")]).unwrap().overcommitted);
        assert!(Quotas::new(10, &[d("a", "0.5"), d("b", "0.5000001")]).unwrap().overcommitted);
    }
}
