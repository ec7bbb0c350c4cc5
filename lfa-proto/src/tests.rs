// SPDX-License-Identifier: MIT OR Apache-2.0
//! Property and edge tests: value -> registers -> value is the identity for
//! every request and response, and registers -> value never panics on any input.
//! Registers are built from signed status codes on purpose, hence the casts.
#![allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_lossless
)]

use crate::{
    ActivateFlags, ActivateRequest, ActivateResponse, AnyRequest, AnyResponse, CancelRequest,
    CancelResponse, DecodeError, FeaturesRequest, FeaturesResponse, FirmwareVersion, FunctionId,
    GetInfoRequest, GetInfoResponse, GetInventoryRequest, InventoryFlags, InventoryResponse,
    LfaError, LfaVersion, PrimeRequest, PrimeResponse, ProgressFlags, Regs, Request, Response,
    ResponseError, SeqId, Uuid, VersionRequest, VersionResponse, decode_status, encode_status,
    uuid_from_regs, uuid_to_regs,
};
use proptest::prelude::*;
use std::format;
use std::string::ToString;
use std::vec::Vec;

const CASES: u32 = 2048;

fn any_regs() -> impl Strategy<Value = Regs> {
    // Bias towards interesting x0 values: LFA IDs, statuses, anything.
    let x0 = prop_oneof![
        (0xC400_02E0_u64..=0xC400_02E7),
        (-16_i64..=1).prop_map(|v| v as u64),
        any::<u64>(),
    ];
    (x0, proptest::array::uniform17(any::<u64>())).prop_map(|(x0, rest)| {
        let mut regs = Regs::ZERO;
        regs.x[0] = x0;
        regs.x[1..].copy_from_slice(&rest);
        regs
    })
}

fn any_uuid() -> impl Strategy<Value = Uuid> {
    any::<[u8; 16]>().prop_map(Uuid::from_bytes)
}

fn any_version() -> impl Strategy<Value = FirmwareVersion> {
    (any::<u32>(), any::<u32>()).prop_map(|(a, b)| FirmwareVersion::new(a, b))
}

fn any_error() -> impl Strategy<Value = LfaError> {
    any::<i64>()
        .prop_filter("non-zero", |c| *c != 0)
        .prop_map(|c| LfaError::from_code(c).unwrap())
}

fn roundtrip_request<R: Request + PartialEq>(req: R) {
    let regs = req.encode();
    assert_eq!(regs.x[0], R::FUNCTION.to_x0());
    assert_eq!(R::decode(&regs), Ok(req));
    // Registers beyond those the call defines are zero.
    assert!(regs.x[5..].iter().all(|&r| r == 0));
}

fn roundtrip_response<R: Response + PartialEq>(resp: R) {
    assert_eq!(R::decode(&resp.encode()), Ok(resp));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn requests_round_trip(seq in any::<u32>(), fid in any::<u64>(), skip in any::<bool>(),
                           entry in any::<u64>(), ctx in any::<u64>()) {
        roundtrip_request(VersionRequest);
        roundtrip_request(FeaturesRequest { function_id: fid });
        roundtrip_request(GetInfoRequest);
        roundtrip_request(GetInventoryRequest::new(SeqId(seq)));
        roundtrip_request(PrimeRequest::new(SeqId(seq)));
        roundtrip_request(CancelRequest::new(SeqId(seq)));
        let flags = if skip { ActivateFlags::SKIP_CPU_RENDEZVOUS } else { ActivateFlags::empty() };
        roundtrip_request(ActivateRequest { seq_id: SeqId(seq), flags, entry_point: entry, context_id: ctx });
    }

    #[test]
    fn responses_round_trip(major in 0..=LfaVersion::MAX_MAJOR, minor in any::<u16>(),
                            count in any::<u32>(), uuid in any_uuid(), flags in any::<u64>(),
                            cur in any_version(), pend in any_version(), progress in any::<u64>()) {
        roundtrip_response(VersionResponse { version: LfaVersion::new(major, minor) });
        roundtrip_response(FeaturesResponse);
        roundtrip_response(GetInfoResponse { component_count: count });
        roundtrip_response(InventoryResponse {
            uuid,
            flags: InventoryFlags::from_bits_retain(flags),
            current_version: cur,
            pending_version: pend,
        });
        roundtrip_response(PrimeResponse { progress: ProgressFlags::from_bits_retain(progress) });
        roundtrip_response(ActivateResponse { progress: ProgressFlags::from_bits_retain(progress) });
        roundtrip_response(CancelResponse);
    }

    /// An error status round-trips through x0 for every call, and a response
    /// decoder reads nothing but x0 then.
    #[test]
    fn errors_round_trip(err in any_error(), junk in any_regs()) {
        let mut regs = junk;
        crate::encode_error_into(err, &mut regs);
        let want = ResponseError::Status(err);
        // VERSION and FEATURES give positive values another meaning.
        if err.code() < 0 {
            prop_assert_eq!(VersionResponse::decode(&regs).unwrap_err(), want);
            prop_assert_eq!(FeaturesResponse::decode(&regs).unwrap_err(), want);
        }
        prop_assert_eq!(GetInfoResponse::decode(&regs).unwrap_err(), want);
        prop_assert_eq!(InventoryResponse::decode(&regs).unwrap_err(), want);
        prop_assert_eq!(PrimeResponse::decode(&regs).unwrap_err(), want);
        prop_assert_eq!(ActivateResponse::decode(&regs).unwrap_err(), want);
        prop_assert_eq!(CancelResponse::decode(&regs).unwrap_err(), want);
        prop_assert_eq!(decode_status(regs.x[0]), Err(err));
        prop_assert_eq!(encode_status(Err(err)), regs.x[0]);
    }

    /// Any register block: every decoder gives a value or a typed error, and a
    /// decoded request re-encodes to the registers it was read from (on the
    /// registers the call defines).
    #[test]
    fn decoding_arbitrary_registers_never_panics(regs in any_regs()) {
        match AnyRequest::decode(&regs) {
            Ok(req) => {
                let again = req.encode();
                let used = match req.function() {
                    FunctionId::Version | FunctionId::GetInfo => 1,
                    FunctionId::Activate => 5,
                    _ => 2,
                };
                prop_assert_eq!(&again.x[..used], &regs.x[..used]);
                prop_assert_eq!(AnyRequest::decode(&again), Ok(req));
            }
            Err(e) => {
                // Every error maps to the status an agent would answer with.
                let status = e.agent_status();
                prop_assert!(matches!(status, LfaError::NotSupported | LfaError::InvalidParameters));
            }
        }
        for f in FunctionId::ALL {
            if let Ok(resp) = AnyResponse::decode(f, &regs) {
                prop_assert_eq!(resp.function(), f);
                let mut again = Regs::ZERO;
                resp.encode_into(&mut again);
                prop_assert_eq!(AnyResponse::decode(f, &again), Ok(resp));
            }
        }
        let _ = LfaVersion::decode(regs.x[0]);
        let _ = SeqId::decode(regs.x[1]);
        let _ = FunctionId::try_from(regs.x[0]);
    }

    #[test]
    fn uuid_packing_round_trips(uuid in any_uuid(), x1 in any::<u64>(), x2 in any::<u64>()) {
        let (a, b) = uuid_to_regs(uuid);
        prop_assert_eq!(uuid_from_regs(a, b), uuid);
        prop_assert_eq!(uuid_to_regs(uuid_from_regs(x1, x2)), (x1, x2));
    }

    #[test]
    fn firmware_version_round_trips_and_orders(a in any::<u64>(), b in any::<u64>()) {
        let (va, vb) = (FirmwareVersion::from_reg(a), FirmwareVersion::from_reg(b));
        prop_assert_eq!(va.to_reg(), a);
        // The register order is the version order.
        prop_assert_eq!(va.cmp(&vb), a.cmp(&b));
    }

    #[test]
    fn lfa_version_decodes_exactly_the_31_bit_values(x0 in any::<u64>()) {
        match LfaVersion::decode(x0) {
            Ok(v) => {
                prop_assert!(x0 <= 0x7FFF_FFFF);
                prop_assert_eq!(v.encode(), x0);
            }
            Err(e) => {
                prop_assert!(x0 > 0x7FFF_FFFF);
                prop_assert_eq!(e, DecodeError::InvalidVersion(x0));
            }
        }
    }
}

#[test]
fn tf_rmm_uuid_vector() {
    let rmm = crate::components::TF_RMM.uuid;
    assert_eq!(rmm.to_string(), "6c0762a6-12f2-4b56-92cb-ba8f633606d9");
    assert_eq!(uuid_to_regs(rmm), (0x564bf212a662076c, 0xd90636638fbacb92));
    assert_eq!(uuid_from_regs(0x564bf212a662076c, 0xd90636638fbacb92), rmm);
    // As the agent returns it in GET_INVENTORY.
    let mut regs = Regs::ZERO;
    regs.x[1] = 0x564bf212a662076c;
    regs.x[2] = 0xd90636638fbacb92;
    let inv = InventoryResponse::decode(&regs).unwrap();
    assert_eq!(inv.uuid, rmm);
    assert_eq!(inv.name(), Some("TF-RMM"));
}

#[test]
fn all_twelve_status_codes() {
    let table: [(i64, Option<LfaError>, &str); 12] = [
        (0, None, "SUCCESS"),
        (-1, Some(LfaError::NotSupported), "NOT_SUPPORTED"),
        (-2, Some(LfaError::Busy), "BUSY"),
        (-3, Some(LfaError::AuthError), "AUTH_ERROR"),
        (-4, Some(LfaError::NoMemory), "NO_MEMORY"),
        (-5, Some(LfaError::CriticalError), "CRITICAL_ERROR"),
        (-6, Some(LfaError::DeviceError), "DEVICE_ERROR"),
        (-7, Some(LfaError::WrongState), "WRONG_STATE"),
        (-8, Some(LfaError::InvalidParameters), "INVALID_PARAMETERS"),
        (
            -9,
            Some(LfaError::ComponentWrongState),
            "COMPONENT_WRONG_STATE",
        ),
        (-10, Some(LfaError::InvalidAddress), "INVALID_ADDRESS"),
        (-11, Some(LfaError::ActivationFailed), "ACTIVATION_FAILED"),
    ];
    for (code, err, name) in table {
        assert_eq!(LfaError::from_code(code), err, "code {code}");
        let x0 = code as u64;
        assert_eq!(decode_status(x0), err.map_or(Ok(()), Err));
        if let Some(e) = err {
            assert_eq!(e.code(), code);
            assert_eq!(e.name(), name);
            assert_eq!(e.to_x0(), x0);
            let shown = e.to_string();
            assert!(shown.starts_with(&format!("{name} ({code}): ")), "{shown}");
            // Error is a core::error::Error.
            let _: &dyn core::error::Error = &e;
        }
    }
    assert_eq!(LfaError::DEFINED.len(), 11);
}

#[test]
fn unknown_status_codes_keep_their_value() {
    for code in [-12_i64, -35, -7_000, 1, 2, 0xC400_02E0, i64::MIN, i64::MAX] {
        let e = LfaError::from_code(code).unwrap();
        assert_eq!(e, LfaError::Unknown(code));
        assert_eq!(e.code(), code);
        assert_eq!(decode_status(code as u64), Err(LfaError::Unknown(code)));
        assert_eq!(e.to_string(), format!("unknown status {code} ({code:#x})"));
    }
    // The "x0 came back unchanged" quirk of an agent with no components.
    let regs = Regs::with_x0(FunctionId::GetInfo.to_x0());
    assert_eq!(
        GetInfoResponse::decode(&regs),
        Err(ResponseError::Status(LfaError::Unknown(0xC400_02E2)))
    );
    assert_eq!(
        VersionResponse::decode(&Regs::with_x0(FunctionId::Version.to_x0())),
        Err(ResponseError::Malformed(DecodeError::InvalidVersion(
            0xC400_02E0
        )))
    );
}

#[test]
fn lfa_version_edges() {
    assert_eq!(LfaVersion::decode(0x1_0000), Ok(LfaVersion::V1_0));
    assert_eq!(LfaVersion::V1_0.encode(), 0x1_0000);
    // Minor 0xFFFF does not carry into major.
    let v = LfaVersion::decode(0x1_FFFF).unwrap();
    assert_eq!((v.major(), v.minor()), (1, 0xFFFF));
    assert_eq!(v.to_string(), "1.65535");
    assert!(LfaVersion::new(2, 0) > v);
    // Largest major, bit 31 clear.
    let top = LfaVersion::decode(0x7FFF_FFFF).unwrap();
    assert_eq!((top.major(), top.minor()), (0x7FFF, 0xFFFF));
    // Bit 31 set: never a version; as x0 of LFA_VERSION it is a status or malformed.
    assert_eq!(
        LfaVersion::decode(0x8000_0000),
        Err(DecodeError::InvalidVersion(0x8000_0000))
    );
    assert_eq!(
        LfaVersion::decode(1 << 32),
        Err(DecodeError::InvalidVersion(1 << 32))
    );
    assert_eq!(
        VersionResponse::decode(&Regs::with_x0(u64::MAX)),
        Err(ResponseError::Status(LfaError::NotSupported))
    );
    assert_eq!(
        VersionResponse::decode(&Regs::with_x0(0xFFFF_FFFF)),
        Err(ResponseError::Malformed(DecodeError::InvalidVersion(
            0xFFFF_FFFF
        )))
    );
}

#[test]
#[should_panic(expected = "15 bits")]
fn lfa_version_major_over_15_bits_is_a_caller_bug() {
    let _ = LfaVersion::new(0x8000, 0);
}

#[test]
fn firmware_version_edges() {
    let v = FirmwareVersion::from_reg(u64::MAX);
    assert_eq!((v.major, v.minor), (u32::MAX, u32::MAX));
    assert_eq!(v.to_string(), "4294967295.4294967295");
    assert!(FirmwareVersion::new(1, 0) > FirmwareVersion::new(0, u32::MAX));
    assert!(FirmwareVersion::default().is_zero());
}

#[test]
fn reserved_bits_are_kept_and_rejected_where_they_must_be() {
    // Inventory flags from firmware: kept and visible.
    let f = InventoryFlags::from_bits_retain(0xF000_0000_0000_0003);
    assert_eq!(f.reserved(), 0xF000_0000_0000_0000);
    assert!(f.is_activatable());
    let mut regs = Regs::ZERO;
    regs.x[3] = f.bits();
    assert_eq!(
        InventoryResponse::decode(&regs).unwrap().flags.bits(),
        0xF000_0000_0000_0003
    );
    // Progress flags: reserved bits kept; CALL_AGAIN read from bit 0 only.
    let mut regs = Regs::ZERO;
    regs.x[1] = 0x8000_0000_0000_0000;
    let p = PrimeResponse::decode(&regs).unwrap();
    assert!(!p.call_again());
    assert_eq!(p.progress.reserved(), 0x8000_0000_0000_0000);
    // Activate flags in a request: reserved bits rejected by the agent side.
    let mut regs = ActivateRequest {
        seq_id: SeqId(0),
        flags: ActivateFlags::empty(),
        entry_point: 0,
        context_id: 0,
    }
    .encode();
    regs.x[2] = 0b110;
    let err = ActivateRequest::decode(&regs).unwrap_err();
    assert_eq!(
        err,
        DecodeError::ReservedBits {
            function: FunctionId::Activate,
            reg: 2,
            bits: 0b110
        }
    );
    assert_eq!(err.agent_status(), LfaError::InvalidParameters);
}

#[test]
fn agent_side_argument_errors() {
    // Selector other than 0.
    let mut regs = GetInfoRequest.encode();
    regs.x[1] = 1;
    assert_eq!(
        GetInfoRequest::decode(&regs),
        Err(DecodeError::UnknownInfoSelector(1))
    );
    // A sequence id wider than 32 bits (TF-A would truncate it to id 1).
    let mut regs = PrimeRequest::new(SeqId(1)).encode();
    regs.x[1] = 0x1_0000_0001;
    assert_eq!(
        AnyRequest::decode(&regs),
        Err(DecodeError::SeqIdOutOfRange(0x1_0000_0001))
    );
    // The wrong function for a typed decoder.
    assert_eq!(
        PrimeRequest::decode(&CancelRequest::new(SeqId(1)).encode()),
        Err(DecodeError::WrongFunction {
            expected: FunctionId::Prime,
            found: 0xC400_02E6
        })
    );
    // SMC32 encodings of an early draft, and function IDs with high bits set.
    for x0 in [0x8400_02E0_u64, 0x1_C400_02E0, 0xC400_02E7] {
        assert_eq!(
            AnyRequest::decode(&Regs::with_x0(x0)),
            Err(DecodeError::UnknownFunction(x0))
        );
    }
    // A count that 32-bit sequence ids cannot address.
    let mut regs = Regs::ZERO;
    regs.x[1] = 1 << 32;
    assert_eq!(
        GetInfoResponse::decode(&regs),
        Err(ResponseError::Malformed(DecodeError::CountOutOfRange(
            1 << 32
        )))
    );
    // FEATURES answers only 0 or an error.
    assert_eq!(
        FeaturesResponse::decode(&Regs::with_x0(1)),
        Err(ResponseError::Malformed(DecodeError::InvalidFeatures(1)))
    );
}

#[test]
fn response_encoders_write_only_defined_registers() {
    let mut regs = Regs { x: [0xAA; 18] };
    GetInfoResponse { component_count: 3 }.encode_into(&mut regs);
    assert_eq!(&regs.x[..3], &[0, 3, 0]);
    assert!(regs.x[3..].iter().all(|&r| r == 0xAA));

    let mut regs = Regs { x: [0xAA; 18] };
    PrimeResponse::CALL_AGAIN.encode_into(&mut regs);
    assert_eq!(&regs.x[..2], &[0, 1]);
    assert!(regs.x[2..].iter().all(|&r| r == 0xAA));

    let mut regs = Regs { x: [0xAA; 18] };
    crate::encode_error_into(LfaError::Busy, &mut regs);
    assert_eq!(regs.x[0], (-2_i64) as u64);
    assert!(regs.x[1..].iter().all(|&r| r == 0xAA));
}

#[test]
fn function_id_anatomy() {
    for f in FunctionId::ALL {
        let a = f.anatomy();
        assert!(a.is_fast_call() && a.is_smc64(), "{f}");
        assert_eq!(a.owner(), crate::Owner::StandardSecure);
        assert_eq!(a.reserved_bits(), 0);
        assert_eq!(u64::from(a.number()), f.to_x0() - 0xC400_0000);
        assert_eq!(FunctionId::try_from(f.to_x0()), Ok(f));
        assert_eq!(FunctionId::try_from(f.id()), Ok(f));
    }
    let names: Vec<_> = FunctionId::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "LFA_VERSION",
            "LFA_FEATURES",
            "LFA_GET_INFO",
            "LFA_GET_INVENTORY",
            "LFA_PRIME",
            "LFA_ACTIVATE",
            "LFA_CANCEL"
        ]
    );
}

#[test]
fn lfa_version_try_new_never_panics() {
    assert_eq!(
        LfaVersion::try_new(0x7FFF, 7),
        Some(LfaVersion::new(0x7FFF, 7))
    );
    assert_eq!(LfaVersion::try_new(0x8000, 0), None);
    assert_eq!(LfaVersion::try_new(u16::MAX, u16::MAX), None);
}

#[test]
fn inventory_flag_accessors() {
    let f = InventoryFlags::from_bits_retain(0b0101);
    assert!(f.is_capable() && !f.is_pending() && f.may_reset_cpu());
    assert!(f.rendezvous_required() && !f.is_activatable());
    let g = InventoryFlags::from_bits_retain(0b1010);
    assert!(!g.is_capable() && g.is_pending() && !g.may_reset_cpu());
    assert!(!g.rendezvous_required() && !g.is_activatable());
}

#[test]
fn status_codes_are_the_discriminants_and_the_layout_keeps_its_niche() {
    // `#[repr(i64)]` with each defined code as its discriminant: the size
    // stays 16 bytes and `Option` still uses the tag's spare values.
    assert_eq!(core::mem::size_of::<LfaError>(), 16);
    assert_eq!(core::mem::size_of::<Option<LfaError>>(), 16);
    assert_eq!(core::mem::size_of::<Result<(), LfaError>>(), 16);
    for (i, e) in LfaError::DEFINED.into_iter().enumerate() {
        let code = -1 - i64::try_from(i).unwrap_or(i64::MAX);
        assert_eq!(e.code(), code);
        assert_eq!(LfaError::from_code(code), Some(e));
    }
    assert_eq!(LfaError::Unknown(1).code(), 1);
    assert_eq!(LfaError::from_code(1), Some(LfaError::Unknown(1)));
}
