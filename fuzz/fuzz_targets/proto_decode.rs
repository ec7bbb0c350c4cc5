// SPDX-License-Identifier: MIT OR Apache-2.0
//! Every decoder of lfa-proto on any register block: never panics, and
//! whatever decodes re-encodes to registers that decode to the same value.
#![no_main]

use lfa_fuzz::Input;
use lfa_proto::{
    ActivateRequest, ActivateResponse, AnyRequest, AnyResponse, CancelRequest, CancelResponse,
    FeaturesRequest, FeaturesResponse, FirmwareVersion, FunctionId, GetInfoRequest,
    GetInfoResponse, GetInventoryRequest, InventoryFlags, InventoryResponse, LfaError, LfaVersion,
    PrimeRequest, PrimeResponse, Regs, Request, Response, SeqId, VersionRequest, VersionResponse,
    decode_status, encode_status, uuid_from_regs, uuid_to_regs,
};
use libfuzzer_sys::fuzz_target;

fn request<R: Request + PartialEq>(regs: &Regs) {
    if let Ok(r) = R::decode(regs) {
        assert_eq!(R::decode(&r.encode()), Ok(r));
    }
}

fn response<R: Response + PartialEq>(regs: &Regs) {
    match R::decode(regs) {
        Ok(r) => {
            // Written into the same block, the defined registers round-trip.
            let mut again = *regs;
            r.encode_into(&mut again);
            assert_eq!(R::decode(&again), Ok(r));
            assert_eq!(R::decode(&r.encode()), Ok(r));
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let regs = input.regs();
    let [x0, x1, x2, x3, x4, ..] = regs.x;

    request::<VersionRequest>(&regs);
    request::<FeaturesRequest>(&regs);
    request::<GetInfoRequest>(&regs);
    request::<GetInventoryRequest>(&regs);
    request::<PrimeRequest>(&regs);
    request::<ActivateRequest>(&regs);
    request::<CancelRequest>(&regs);
    match AnyRequest::decode(&regs) {
        Ok(r) => {
            assert_eq!(AnyRequest::decode(&r.encode()), Ok(r));
            let _ = (r.function(), r.seq_id());
        }
        Err(e) => {
            let _ = (e.agent_status(), e.to_string());
        }
    }

    response::<VersionResponse>(&regs);
    response::<FeaturesResponse>(&regs);
    response::<GetInfoResponse>(&regs);
    response::<InventoryResponse>(&regs);
    response::<PrimeResponse>(&regs);
    response::<ActivateResponse>(&regs);
    response::<CancelResponse>(&regs);
    for function in FunctionId::ALL {
        if let Ok(r) = AnyResponse::decode(function, &regs) {
            assert_eq!(r.function(), function);
            let mut again = regs;
            r.encode_into(&mut again);
            assert_eq!(AnyResponse::decode(function, &again), Ok(r));
        }
    }
    if let Ok(inventory) = InventoryResponse::decode(&regs) {
        let _ = (inventory.name(), inventory.pending_version());
    }

    // The value-level decoders.
    let status = decode_status(x0);
    assert_eq!(encode_status(status), x0);
    if let Err(e) = status {
        assert_eq!(LfaError::from_code(e.code()), Some(e));
        let _ = (e.name(), e.to_string());
    }
    if let Ok(v) = LfaVersion::decode(x0) {
        assert_eq!(LfaVersion::decode(v.encode()), Ok(v));
        let _ = v.to_string();
    }
    let fw = FirmwareVersion::from_reg(x4);
    assert_eq!(fw.to_reg(), x4);
    let _ = fw.to_string();
    if let Ok(id) = SeqId::decode(x1) {
        assert_eq!(id.to_reg(), x1);
    }
    let uuid = uuid_from_regs(x1, x2);
    assert_eq!(uuid_to_regs(uuid), (x1, x2));
    let flags = InventoryFlags::from_bits_retain(x3);
    let _ = (
        flags.reserved(),
        flags.rendezvous_required(),
        flags.is_activatable(),
    );
    if let Ok(f) = FunctionId::try_from(x0) {
        assert_eq!(f.to_x0(), x0);
        let _ = f.anatomy();
    }
});
