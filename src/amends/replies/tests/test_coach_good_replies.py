"""Good replies the coach must not block: each apologises, owns the mistake and offers a way out, and each also
uses a word a too-eager rule once read as a fault (however, next time, our records show, actually, obviously,
confirm that, other customers, in future). A blocking finding stops an agent's good reply; these must pass.

Written for the "tests and benchmarks that tell the truth" issue from its list of false blocks, not from any
labelled benchmark row."""

import pytest

from amends.replies.coach import BLOCKING, coach

# (customer name, public thread, reply)
GOOD: dict[str, list[tuple[str, bool, str]]] = {
    "en": [
        (
            "Olga",
            False,
            "Olga, thank you for telling us. We're sorry, the late parcel was our mistake. However, the courier will "
            "call you first tomorrow morning so you can choose a time, or we can refund you today, whichever you "
            "prefer.",
        ),
        (
            "Ben",
            False,
            "Ben, thank you and sorry, we sent the wrong size and that was our error. A replacement leaves today, or "
            "we can refund you if you prefer. Before ordering again, use code SORRY15 for 15% off your next order.",
        ),
        (
            "Maria",
            False,
            "Maria, thanks for your patience, and sorry. Our records show you were charged twice, and that was our "
            "error. We "
            "have refunded the second payment today.",
        ),
        (
            "Tom",
            False,
            "Tom, thank you for writing, and I'm so sorry. You must have been worried when the heater stopped "
            "working in this cold; that should not have happened with a new unit. An engineer will visit tomorrow, "
            "or we can swap it at the store today, as you prefer.",
        ),
        (
            "Ana",
            False,
            "Ana, thank you, and sorry for the silly mistake on our part: we put the wrong date on your booking. We "
            "have moved it to Friday as you asked, and next time you book with us the first coffee is on the house.",
        ),
        (
            "Leo",
            False,
            "Leo, thanks for letting us know, and sorry. Let me explain why this happened: our warehouse swapped two "
            "labels, "
            "which is entirely our fault. The right jacket goes out today by express, or we can refund you now, "
            "whichever you prefer.",
        ),
        (
            "Sara",
            False,
            "Sara, thank you for your message, and sorry: we actually had your size in stock, but our website showed "
            "it as sold out. That was our error. We will reserve a pair for you today, or deliver them tomorrow free "
            "of charge, as you prefer.",
        ),
        (
            "Nina",
            False,
            "Nina, thank you for your patience, and sorry, the delay was our fault: we booked the courier a day "
            "late. Please confirm that you would like delivery on Saturday, or we can refund you today.",
        ),
        (
            "Eva",
            True,
            "Thank you, Eva, and sorry, this was our fault. Other customers were hit by the same outage, and we are "
            "refunding everyone today. Please send us a direct message if you would rather have store credit.",
        ),
        (
            "Paul",
            False,
            "Paul, thank you for telling us. I'm sorry the technician was rude to you; that is on us. In future, "
            "please ask for me directly: I will book your next visit with our senior engineer, free of charge, this "
            "week or next, whichever suits you.",
        ),
    ],
    "ru": [
        (
            "Ольга",
            False,
            "Ольга, спасибо, что написали, и простите, это наша ошибка. Однако посылку мы отправим сегодня, а если "
            "вам удобнее, сразу вернём деньги.",
        ),
        (
            "Борис",
            False,
            "Борис, спасибо и простите, мы перепутали размер, это наша ошибка. Замену отправим сегодня или вернём "
            "деньги, как вам удобнее. В следующий раз, пожалуйста, используйте промокод ИЗВИНИТЕ15 — он даёт "
            "скидку 15%.",
        ),
        (
            "Мария",
            False,
            "Мария, спасибо за терпение, и простите. По нашим данным, деньги действительно списали дважды, и это наша "
            "ошибка. "
            "Второй платёж мы уже вернули сегодня.",
        ),
        (
            "Иван",
            False,
            "Иван, спасибо, что сообщили, и простите. На самом деле ошибка целиком наша: склад перепутал наклейки. "
            "Правильную "
            "куртку отправим сегодня экспрессом или вернём деньги, как вам удобнее.",
        ),
        (
            "Анна",
            False,
            "Анна, спасибо и простите за глупую ошибку с нашей стороны: мы указали в брони не ту дату. Мы уже "
            "перенесли её на пятницу, как вы просили, а за неудобство вернём депозит сегодня или добавим ночь в "
            "подарок, на выбор.",
        ),
        (
            "Лев",
            False,
            "Лев, спасибо. Простите, объясним, почему так вышло: система склада поменяла местами две этикетки, это "
            "полностью наша вина. Правильный товар отправим сегодня или вернём деньги, как вам удобнее.",
        ),
        (
            "Ева",
            True,
            "Ева, спасибо и простите, это наша вина. Сбой затронул и других покупателей, и сегодня мы вернём деньги "
            "всем. Напишите нам в личные сообщения, если вам удобнее получить бонусы.",
        ),
        (
            "Павел",
            False,
            "Павел, спасибо, что рассказали, и простите: курьер нагрубил вам, и за это отвечаем мы. Впредь ваши "
            "заказы будет привозить другой курьер, а за доставку этого заказа мы вернём деньги сегодня или "
            "начислим бонусы, как вам удобнее.",
        ),
        (
            "Сара",
            False,
            "Сара, спасибо за сообщение, и простите. Очевидно, мы ошиблись с адресом — это наша вина. Курьер "
            "привезёт заказ завтра до обеда, или мы вернём деньги сегодня, на выбор.",
        ),
        (
            "Нина",
            False,
            "Нина, спасибо и простите, задержка по нашей вине. Подтвердите, что вам удобна доставка в субботу, или "
            "мы вернём деньги сегодня.",
        ),
    ],
    "bg": [
        (
            "Олга",
            False,
            "Олга, благодарим ви и се извиняваме, грешката е наша. Само че пратката ще тръгне утре сутрин, защото "
            "днешният куриер вече замина; ако предпочитате, ще ви върнем парите още днес.",
        ),
        (
            "Борис",
            False,
            "Борис, благодарим и извинете, объркахме размера, грешката е наша. Замяната тръгва днес, или ще ви "
            "върнем парите, ако предпочитате. Следващия път, моля, използвайте кода ИЗВИНЕТЕ15 за 15% отстъпка.",
        ),
        (
            "Мария",
            False,
            "Мария, благодарим за търпението и се извиняваме. Според нашата система наистина сте платили два пъти и "
            "грешката е "
            "наша. Втората сума ви я върнахме днес.",
        ),
        (
            "Иван",
            False,
            "Иван, благодарим, че ни писахте, и се извиняваме. Всъщност грешката е изцяло наша: складът е разменил "
            "етикетите. Днес ще изпратим правилното яке с експресна доставка или ще ви върнем парите, както "
            "предпочитате.",
        ),
        (
            "Петя",
            False,
            "Петя, благодарим ви и се извиняваме. Очевидно сме сбъркали адреса, вината е наша. Куриерът ще донесе "
            "поръчката утре до обяд или днес ще ви върнем парите, по ваш избор.",
        ),
        (
            "Елица",
            True,
            "Елица, благодарим и се извиняваме, вината е наша. Прекъсването засегна и другите клиенти и днес "
            "връщаме парите на всички. Пишете ни на лично съобщение, ако предпочитате ваучер.",
        ),
        (
            "Стефан",
            False,
            "Стефан, благодарим ви, че ни казахте, и се извиняваме: куриерът е бил груб с вас и това е наша "
            "отговорност. Занапред поръчките ви ще носи друг куриер, а таксата за доставка ще ви върнем днес или "
            "ще ви дадем ваучер, както предпочитате.",
        ),
        (
            "Нина",
            False,
            "Нина, благодарим и извинете, забавянето е по наша вина. Потвърдете, че доставка в събота ви е удобна, "
            "или днес ще ви върнем парите.",
        ),
        (
            "Васил",
            False,
            "Васил, благодарим ви и се извиняваме за глупавата грешка от наша страна: записахме грешна дата на "
            "резервацията. Вече я преместихме за петък, както поискахте, а депозита ще ви върнем днес или ще го "
            "приспаднем от сметката, по ваш избор.",
        ),
        (
            "Деница",
            False,
            "Деница, благодарим за търпението и се извиняваме, процедурата закъсня по наша вина. Ще ви обясним защо "
            "се случи: апаратът не беше подготвен навреме. Днес ще ви се обадим, за да изберете нов час, или ще ви "
            "върнем таксата, както предпочитате.",
        ),
    ],
    "sr": [
        (
            "Olga",
            False,
            "Olga, hvala što ste nam pisali i izvinite, greška je naša. Međutim, paket šaljemo već danas, a ako vam "
            "više odgovara, odmah vraćamo novac.",
        ),
        (
            "Bojan",
            False,
            "Bojane, hvala i izvinite, pomešali smo veličinu, to je naša greška. Zamena kreće danas, ili vraćamo "
            "novac ako vam više odgovara. Sledeći put, molim vas, iskoristite kod IZVINI15 za 15% popusta.",
        ),
        (
            "Марија",
            False,
            "Марија, хвала на стрпљењу и извините. Према нашим подацима новац вам је заиста скинут два пута и грешка "
            "је наша. "
            "Други износ смо вам вратили данас.",
        ),
        (
            "Ivan",
            False,
            "Ivane, hvala što ste nam javili, i izvinite. Zapravo, greška je potpuno naša: magacin je zamenio "
            "nalepnice. Danas šaljemo pravu jaknu ekspres dostavom ili vraćamo novac, kako vam više odgovara.",
        ),
        (
            "Петар",
            False,
            "Петре, хвала и извините. Очигледно смо погрешили адресу, кривица је наша. Курир доноси поруџбину сутра "
            "до подне или вам данас враћамо новац, по вашем избору.",
        ),
        (
            "Ana",
            True,
            "Ana, hvala i izvinite, kvar je naša krivica. Prekid je pogodio i druge kupce i danas vraćamo novac "
            "svima. Pišite nam u privatnoj poruci ako vam više odgovara vaučer.",
        ),
        (
            "Стефан",
            False,
            "Стефане, хвала што сте нам рекли, и извините: курир је био груб према вама и то је наша одговорност. "
            "Убудуће ће вам поруџбине доносити други курир, а трошкове ове доставе враћамо данас или вам дајемо "
            "ваучер, како вам одговара.",
        ),
        (
            "Nina",
            False,
            "Nina, hvala i izvinite, kašnjenje je naša krivica. Potvrdite da vam odgovara dostava u subotu, ili vam "
            "danas vraćamo novac.",
        ),
        (
            "Vesna",
            False,
            "Vesna, hvala na strpljenju i izvinite. U stvari, vozač je kasnio našom greškom, jer smo mu dali "
            "pogrešan raspored. Danas vam vraćamo novac za kartu ili vam dajemo besplatno sledeće putovanje, kako "
            "vam više odgovara.",
        ),
        (
            "Лазар",
            False,
            "Лазаре, хвала и извините због глупе грешке са наше стране: уписали смо погрешан датум резервације. Већ "
            "смо је померили за петак, како сте тражили, а депозит вам враћамо данас или га урачунавамо у рачун, "
            "како вам одговара.",
        ),
    ],
    "sk": [
        (
            "Olga",
            False,
            "Olga, ďakujeme, že ste nám napísali, a prepáčte, je to naša chyba. Chceli sme objednávku opraviť ešte "
            "dnes, lenže balík už odišiel zo skladu, takže vám kuriér zajtra najprv zavolá; ak chcete, peniaze vám "
            "vrátime hneď.",
        ),
        (
            "Boris",
            False,
            "Boris, ďakujeme a prepáčte, poplietli sme veľkosť, je to naša chyba. Výmena odchádza dnes, alebo vám "
            "vrátime peniaze, ak chcete. Nabudúce, prosím, použite kód PREPACTE15 na 15 % zľavu.",
        ),
        (
            "Mária",
            False,
            "Mária, ďakujeme za trpezlivosť a prepáčte. Podľa našich záznamov vám platbu naozaj strhli dvakrát a "
            "chyba je "
            "naša. Druhú platbu sme vám dnes vrátili.",
        ),
        (
            "Ivan",
            False,
            "Ivan, ďakujeme, že ste nám dali vedieť, a prepáčte. Vlastne je to celé naša chyba: sklad zamenil "
            "štítky. Dnes pošleme správnu bundu expresne alebo vám vrátime peniaze, ako vám viac vyhovuje.",
        ),
        (
            "Peter",
            False,
            "Peter, ďakujeme a prepáčte. Očividne sme pomýlili adresu, chyba je naša. Kuriér vám objednávku prinesie "
            "zajtra do obeda alebo vám dnes vrátime peniaze, podľa vášho výberu.",
        ),
        (
            "Katarína",
            True,
            "Katarína, ďakujeme a prepáčte, výpadok bol našou chybou. Týkal sa aj ostatných zákazníkov a dnes "
            "vraciame peniaze všetkým. Napíšte nám súkromnú správu, ak chcete radšej poukážku.",
        ),
        (
            "Tomáš",
            False,
            "Tomáš, ďakujeme, že ste nám to povedali, a prepáčte: kuriér bol k vám nezdvorilý a za to zodpovedáme "
            "my. V budúcnosti, prosím, dajte vedieť priamo mne a postarám sa, aby vám objednávky nosil iný kuriér; "
            "poplatok za doručenie vám vrátime dnes alebo dostanete poukážku, ako chcete.",
        ),
        (
            "Nina",
            False,
            "Nina, ďakujeme a prepáčte, meškanie je naša chyba. Potvrďte, že vám vyhovuje doručenie v sobotu, alebo "
            "vám dnes vrátime peniaze.",
        ),
        (
            "Jana",
            False,
            "Jana, ďakujeme za trpezlivosť a prepáčte. V skutočnosti vodič meškal našou chybou, dali sme mu "
            "nesprávny rozpis. Dnes vám vrátime peniaze za lístok alebo vám dáme ďalšiu cestu zadarmo, ako vám viac "
            "vyhovuje.",
        ),
        (
            "Michal",
            False,
            "Michal, ďakujeme a prepáčte za hlúpu chybu z našej strany: do rezervácie sme zapísali nesprávny dátum. "
            "Už sme ju presunuli na piatok, ako ste chceli, a zálohu vám vrátime dnes alebo ju odpočítame z účtu, "
            "ako chcete.",
        ),
    ],
}
CASES = [(language, *reply) for language, replies in GOOD.items() for reply in replies]
IDS = [f"{language}-{index}" for language, replies in GOOD.items() for index in range(len(replies))]


@pytest.mark.parametrize(("language", "name", "public", "text"), CASES, ids=IDS)
def test_a_good_reply_is_not_blocked(language, name, public, text):
    result = coach(text, language=language, customer_name=name, public_thread=public)
    blocking = [(f.rule, f.span.text if f.span else "") for f in result.findings if f.severity == BLOCKING]
    assert result.coached and not result.blocking, blocking


def test_the_good_replies_are_ten_in_each_coached_language():
    assert {language: len(replies) for language, replies in GOOD.items()} == dict.fromkeys(
        ("en", "ru", "bg", "sr", "sk"), 10
    )


@pytest.mark.parametrize(
    ("language", "text", "rule"),
    [
        ("en", "Sorry, but next time, make sure you check the size chart before ordering.", "blame"),
        ("en", "Sorry. However, the parcel was delivered on time, so the delay was not our fault.", "arguing"),
        ("ru", "Простите, но в следующий раз проверяйте таблицу размеров перед заказом.", "blame"),
        ("bg", "Извинете, но следващия път проверявайте таблицата с размерите.", "blame"),
        ("sr", "Izvinite, ali sledeći put proverite tabelu veličina pre poručivanja.", "blame"),
        ("sk", "Prepáčte, ale nabudúce si skontrolujte tabuľku veľkostí pred objednávkou.", "blame"),
        ("ru", "Простите, однако посылка была доставлена вовремя, это не наша вина.", "arguing"),
    ],
)
def test_the_narrowed_rules_still_catch_the_fault_itself(language, text, rule):
    # Advice to check before ordering is still blame, and "not our fault" still argues, whatever word precedes it.
    assert rule in {f.rule for f in coach(text, language=language).findings}
